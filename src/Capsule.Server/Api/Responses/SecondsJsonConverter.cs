using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// Durations in seconds are written as JSON floats with a fractional part (<c>1.0</c>, not <c>1</c>), as Python's
/// json module writes a float, so clients that check types see a float every time. Microsecond precision.
/// </summary>
internal sealed class SecondsJsonConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) =>
        writer.WriteRawValue(Format(value), skipInputValidation: true);

    public static string Format(double value) =>
        Math.Round(value, 6).ToString("0.0#####", CultureInfo.InvariantCulture);
}

/// <summary><see cref="SecondsJsonConverter"/> for optional durations; null stays null.</summary>
internal sealed class NullableSecondsJsonConverter : JsonConverter<double?>
{
    public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options)
    {
        if (value is { } seconds)
            writer.WriteRawValue(SecondsJsonConverter.Format(seconds), skipInputValidation: true);
        else
            writer.WriteNullValue();
    }
}
