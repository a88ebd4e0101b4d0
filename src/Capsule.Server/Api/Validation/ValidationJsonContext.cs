using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Validation;

/// <summary>Turns raw query and form strings into the <c>input</c> of validation errors.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class ValidationJsonContext : JsonSerializerContext;
