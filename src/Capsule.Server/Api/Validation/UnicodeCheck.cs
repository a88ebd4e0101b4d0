using System.Text.Json;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// JSON may escape a lone UTF-16 surrogate (<c>"\ud800"</c>): the text parses, but the string cannot be decoded, and
/// every later read or re-write of it throws. A document is checked once, where it enters (a body, a query value), so
/// nothing behind validation ever holds such a string.
/// </summary>
internal static class UnicodeCheck
{
    /// <summary>Where the first string or property name that cannot be decoded is (e.g. <c>["body", "env", "A"]</c>); null if none.</summary>
    public static IReadOnlyList<object>? FindUndecodable(JsonElement element, IReadOnlyList<object> location)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(() => element.GetString()) ? null : location;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return location;
                    }
                    if (FindUndecodable(property.Value, [.. location, name]) is { } found)
                        return found;
                }
                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindUndecodable(item, [.. location, index++]) is { } found)
                        return found;
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>pydantic's error for text that is not valid Unicode (the input cannot be echoed, so it is null).</summary>
    public static ValidationError Error(IReadOnlyList<object> location) =>
        new("string_unicode", location, "Input should be a valid string, unable to parse raw data as a unicode string", Input: null);

    private static bool Decodes(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
