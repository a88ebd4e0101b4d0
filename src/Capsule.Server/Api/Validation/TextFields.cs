using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capsule.Server.Api.Errors;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// Reads typed values from a query string or a form (every raw value is a string) the way FastAPI and pydantic v2
/// do, collecting every problem so one 422 reports them all. Locations are <c>["query", name]</c> or
/// <c>["body", name]</c>; the <c>input</c> of an error is the raw string (null when missing), as FastAPI reports it.
/// </summary>
internal sealed class TextFields(string location, Func<string, string?> lookup)
{
    private static readonly string[] TrueWords = ["1", "on", "t", "true", "y", "yes"];
    private static readonly string[] FalseWords = ["0", "off", "f", "false", "n", "no"];
    private readonly List<ValidationError> _errors = [];

    public static TextFields Query(IQueryCollection query) =>
        new("query", name => query.TryGetValue(name, out var values) ? values.ToString() : null);

    public static TextFields Form(IFormCollection form) =>
        new("body", name => form.TryGetValue(name, out var values) ? values.ToString() : null);

    public bool Has(string name) => lookup(name) is not null;

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
            throw CapsuleException.Validation(_errors);
    }

    public string? RequiredString(string name)
    {
        var value = lookup(name);
        if (value is null)
            _errors.Add(new ValidationError("missing", [location, name], "Field required", Input: null));
        return value;
    }

    public string? OptionalString(string name) => lookup(name);

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; the default when not given.</summary>
    public int? Int(string name, int defaultValue, int min, int max)
    {
        if (lookup(name) is not { } text)
            return defaultValue;
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            _errors.Add(new ValidationError("int_parsing", [location, name],
                "Input should be a valid integer, unable to parse string as an integer", Json(text)));
            return null;
        }
        if (parsed < min)
        {
            _errors.Add(new ValidationError("greater_than_equal", [location, name],
                $"Input should be greater than or equal to {min}", Json(text), new JsonObject { ["ge"] = min }));
            return null;
        }
        if (parsed > max)
        {
            _errors.Add(new ValidationError("less_than_equal", [location, name],
                $"Input should be less than or equal to {max}", Json(text), new JsonObject { ["le"] = max }));
            return null;
        }
        return (int)parsed;
    }

    /// <summary>A boolean in pydantic's lax words (<c>true/false</c>, <c>1/0</c>, <c>yes/no</c>, <c>on/off</c>, ...).</summary>
    public bool? Bool(string name, bool defaultValue)
    {
        if (lookup(name) is not { } text)
            return defaultValue;
        var word = text.Trim();
        if (TrueWords.Contains(word, StringComparer.OrdinalIgnoreCase))
            return true;
        if (FalseWords.Contains(word, StringComparer.OrdinalIgnoreCase))
            return false;
        _errors.Add(new ValidationError("bool_parsing", [location, name],
            "Input should be a valid boolean, unable to interpret input", Json(text)));
        return null;
    }

    /// <summary>A JSON object given as text (e.g. <c>?metadata={"env":"prod"}</c>); null when not given or invalid.</summary>
    public JsonElement? OptionalJsonObject(string name)
    {
        if (lookup(name) is not { } text)
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (UnicodeCheck.FindUndecodable(document.RootElement, [location, name]) is { } undecodable)
            {
                _errors.Add(UnicodeCheck.Error(undecodable));
                return null;
            }
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Reported below, as for a JSON value that is not an object.
        }
        ValueError(name, $"{name} must be a JSON object, e.g. {{\"env\": \"prod\"}}");
        return null;
    }

    /// <summary>Records a failed check, as pydantic reports a <c>ValueError</c> raised by a validator.</summary>
    public void ValueError(string name, string message) =>
        _errors.Add(new ValidationError("value_error", [location, name], $"Value error, {message}",
            lookup(name) is { } text ? Json(text) : null));

    private static JsonElement Json(string text) => JsonSerializer.SerializeToElement(text, ValidationJsonContext.Default.String);
}
