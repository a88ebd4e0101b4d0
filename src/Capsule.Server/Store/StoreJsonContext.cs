using System.Text.Json.Serialization;

namespace Capsule.Server.Store;

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
