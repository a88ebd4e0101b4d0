using System.Text.Json.Serialization;

namespace Capsule.Server.Store;

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Capsule.Server.Egress.EgressPolicy))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
