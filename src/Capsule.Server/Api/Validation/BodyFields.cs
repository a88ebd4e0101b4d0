using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Capsule.Server.Api.Errors;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// Reads typed fields from a JSON object body the way pydantic v2 (lax mode) would, collecting every
/// problem so that one 422 reports them all. Absent and JSON null both mean "not given".
/// </summary>
internal sealed class BodyFields(JsonElement body, IReadOnlyList<object> at)
{
    private readonly List<ValidationError> _errors = [];

    /// <summary>The fields of a request body: errors are located at <c>["body", field]</c>.</summary>
    public BodyFields(JsonElement body)
        : this(body, ["body"])
    {
    }

    /// <summary>Takes the problems found in a nested object's fields (see the constructor's <c>at</c>) into this body's.</summary>
    public void Absorb(BodyFields nested) => _errors.AddRange(nested._errors);

    /// <summary>A list of strings; a non-list, or a non-string item (at its index), is reported. Null when not given or invalid.</summary>
    public List<string>? OptionalStringList(string name)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            _errors.Add(new ValidationError("list_type", [.. at, name], "Input should be a valid list", value.Clone()));
            return null;
        }
        var list = new List<string>();
        var index = 0;
        var valid = true;
        foreach (var item in value.EnumerateArray())
        {
            if (AsString(item, [.. at, name, index]) is { } text)
                list.Add(text);
            else
                valid = false;
            index++;
        }
        return valid ? list : null;
    }

    /// <summary>Records a failed check of one item of a list field, as pydantic reports a validator's ValueError.</summary>
    public void ItemValueError(string name, int index, string message, string input) =>
        _errors.Add(new ValidationError("value_error", [.. at, name, index], $"Value error, {message}", JsonSerializer.SerializeToElement(input, ValidationJsonContext.Default.String)));

    public bool IsValid => _errors.Count == 0;

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
            throw CapsuleException.Validation(_errors);
    }

    /// <summary>True when the field is present and not JSON null.</summary>
    public bool Has(string name) => TryGet(name, out _);

    public void Missing(string name) =>
        _errors.Add(new ValidationError("missing", [.. at, name], "Field required", body.Clone()));

    public string? RequiredString(string name)
    {
        if (!TryGet(name, out var value))
        {
            Missing(name);
            return null;
        }
        return AsString(value, [.. at, name]);
    }

    public string? OptionalString(string name) =>
        TryGet(name, out var value) ? AsString(value, [.. at, name]) : null;

    /// <summary>A string of at most <paramref name="maxLength"/> characters; null when not given or invalid.</summary>
    public string? OptionalText(string name, int maxLength) => CheckLength(name, OptionalString(name), maxLength);

    /// <summary>A required string of at most <paramref name="maxLength"/> characters.</summary>
    public string? RequiredText(string name, int maxLength) => CheckLength(name, RequiredString(name), maxLength);

    /// <summary>A boolean as pydantic (lax) reads one: JSON booleans, 0/1, and words like "true"/"no"; the default when not given.</summary>
    public bool? Bool(string name, bool defaultValue)
    {
        if (!TryGet(name, out var value))
            return defaultValue;
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number when value.TryGetInt64(out var number) && number is 0 or 1:
                return number == 1;
            case JsonValueKind.String when value.GetString()!.Trim().ToLowerInvariant() is "1" or "on" or "t" or "true" or "y" or "yes":
                return true;
            case JsonValueKind.String when value.GetString()!.Trim().ToLowerInvariant() is "0" or "off" or "f" or "false" or "n" or "no":
                return false;
            case JsonValueKind.String or JsonValueKind.Number:
                _errors.Add(new ValidationError("bool_parsing", [.. at, name],
                    "Input should be a valid boolean, unable to interpret input", value.Clone()));
                return null;
            default:
                _errors.Add(new ValidationError("bool_type", [.. at, name], "Input should be a valid boolean", value.Clone()));
                return null;
        }
    }

    /// <summary>A string that must be one of <paramref name="allowed"/>; null when not given or invalid.</summary>
    public string? OptionalLiteral(string name, IReadOnlyList<string> allowed)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString()!, StringComparer.Ordinal))
            return value.GetString();
        var expected = JoinAlternatives(allowed.Select(a => $"'{a}'").ToList());
        _errors.Add(new ValidationError("literal_error", [.. at, name], $"Input should be {expected}", value.Clone(),
            new JsonObject { ["expected"] = expected }));
        return null;
    }

    /// <summary>
    /// A string naming one of <paramref name="canonical"/> directly or through <paramref name="aliases"/> (whose
    /// comparer decides case); the canonical name, else a <c>literal_error</c> that lists the canonical names.
    /// </summary>
    public string? OptionalAliased(string name, IReadOnlyDictionary<string, string> aliases, IReadOnlyList<string> canonical)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.String && aliases.TryGetValue(value.GetString()!, out var known))
            return known;
        var expected = JoinAlternatives(canonical.Select(a => $"'{a}'").ToList());
        _errors.Add(new ValidationError("literal_error", [.. at, name], $"Input should be {expected}", value.Clone(),
            new JsonObject { ["expected"] = expected }));
        return null;
    }

    /// <summary>An integer in [<paramref name="min"/>, <paramref name="max"/>]; the default when not given.</summary>
    public int? Int(string name, int defaultValue, int min, int max)
    {
        if (!TryGet(name, out var value))
            return defaultValue;
        if (ParseInt(value, name) is not { } parsed)
            return null;
        if (parsed < min)
        {
            _errors.Add(new ValidationError("greater_than_equal", [.. at, name],
                $"Input should be greater than or equal to {min}", value.Clone(), new JsonObject { ["ge"] = min }));
            return null;
        }
        if (parsed > max)
        {
            _errors.Add(new ValidationError("less_than_equal", [.. at, name],
                $"Input should be less than or equal to {max}", value.Clone(), new JsonObject { ["le"] = max }));
            return null;
        }
        return (int)parsed;
    }

    /// <summary>An integer that must be one of <paramref name="allowed"/>; the default when not given.</summary>
    public int? IntLiteral(string name, int defaultValue, IReadOnlyList<int> allowed)
    {
        if (!TryGet(name, out var value))
            return defaultValue;
        if (ParseInt(value, name) is not { } parsed)
            return null;
        if (parsed is >= int.MinValue and <= int.MaxValue && allowed.Contains((int)parsed))
            return (int)parsed;
        var expected = JoinAlternatives(allowed.Select(a => a.ToString(CultureInfo.InvariantCulture)).ToList());
        _errors.Add(new ValidationError("literal_error", [.. at, name], $"Input should be {expected}", value.Clone(),
            new JsonObject { ["expected"] = expected }));
        return null;
    }

    /// <summary>Records a failed field check, as pydantic reports a <c>ValueError</c> raised by a validator.</summary>
    public void ValueError(string name, string message)
    {
        JsonElement? input = TryGet(name, out var value) ? value.Clone() : null;
        _errors.Add(new ValidationError("value_error", [.. at, name], $"Value error, {message}", input));
    }

    /// <summary>A JSON object kept as is (e.g. metadata); null when not given or invalid.</summary>
    public JsonElement? OptionalObject(string name)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind == JsonValueKind.Object)
            return value.Clone();
        _errors.Add(DictType(value, [.. at, name]));
        return null;
    }

    /// <summary>A string-to-string map; every non-string value is reported at its own key.</summary>
    public Dictionary<string, string>? OptionalStringMap(string name)
    {
        if (!TryGet(name, out var value))
            return null;
        if (value.ValueKind != JsonValueKind.Object)
        {
            _errors.Add(DictType(value, [.. at, name]));
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (AsString(property.Value, [.. at, name, property.Name]) is { } text)
                map[property.Name] = text;
        }
        return map;
    }

    private string? CheckLength(string name, string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
            return text;
        _errors.Add(new ValidationError("string_too_long", [.. at, name], $"String should have at most {maxLength} characters",
            body.GetProperty(name).Clone(), new JsonObject { ["max_length"] = maxLength }));
        return null;
    }

    private bool TryGet(string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private string? AsString(JsonElement value, IReadOnlyList<object> loc)
    {
        if (value.ValueKind == JsonValueKind.String)
            return value.GetString();
        _errors.Add(new ValidationError("string_type", loc, "Input should be a valid string", value.Clone()));
        return null;
    }

    private long? ParseInt(JsonElement value, string name)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetInt64(out var whole):
                return whole;
            case JsonValueKind.Number:
                var number = value.GetDouble();
                if (Math.Floor(number) == number && !double.IsInfinity(number))
                    return number >= long.MaxValue ? long.MaxValue : number <= long.MinValue ? long.MinValue : (long)number;
                _errors.Add(new ValidationError("int_from_float", [.. at, name],
                    "Input should be a valid integer, got a number with a fractional part", value.Clone()));
                return null;
            case JsonValueKind.String when long.TryParse(value.GetString()!.Trim(), NumberStyles.AllowLeadingSign,
                CultureInfo.InvariantCulture, out var parsed):
                return parsed;
            case JsonValueKind.String:
                _errors.Add(new ValidationError("int_parsing", [.. at, name],
                    "Input should be a valid integer, unable to parse string as an integer", value.Clone()));
                return null;
            default:
                _errors.Add(new ValidationError("int_type", [.. at, name], "Input should be a valid integer", value.Clone()));
                return null;
        }
    }

    private static ValidationError DictType(JsonElement value, IReadOnlyList<object> loc) =>
        new("dict_type", loc, "Input should be a valid dictionary", value.Clone());

    /// <summary>pydantic's wording: "1, 2, 4, 6 or 8".</summary>
    private static string JoinAlternatives(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} or {items[^1]}";
}
