using System.Text.Json;

namespace Capsule.Server.Sessions;

/// <summary>
/// JSON containment as PostgreSQL's <c>jsonb @&gt;</c> defines it (InstaVM filters sandboxes with it): an object contains
/// another when it has each of its keys with a containing value (recursively); an array contains another when each
/// element of the other is contained in some element of it; scalars contain only an equal scalar.
/// </summary>
internal static class MetadataContainment
{
    public static bool Contains(JsonElement actual, JsonElement wanted) => wanted.ValueKind switch
    {
        JsonValueKind.Object => actual.ValueKind == JsonValueKind.Object
            && wanted.EnumerateObject().All(w => actual.TryGetProperty(w.Name, out var value) && Contains(value, w.Value)),
        JsonValueKind.Array => actual.ValueKind == JsonValueKind.Array
            && wanted.EnumerateArray().All(w => actual.EnumerateArray().Any(a => Contains(a, w))),
        JsonValueKind.String => actual.ValueKind == JsonValueKind.String
            && string.Equals(actual.GetString(), wanted.GetString(), StringComparison.Ordinal),
        JsonValueKind.Number => actual.ValueKind == JsonValueKind.Number && NumbersEqual(actual, wanted),
        _ => actual.ValueKind == wanted.ValueKind,
    };

    private static bool NumbersEqual(JsonElement a, JsonElement b) =>
        a.TryGetDecimal(out var x) && b.TryGetDecimal(out var y) ? x == y : a.GetDouble().Equals(b.GetDouble());
}
