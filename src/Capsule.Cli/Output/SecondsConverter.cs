using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capsule.Cli.Output;

/// <summary>Durations as seconds (a JSON number), as the server writes them.</summary>
internal sealed class SecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TimeSpan.FromSeconds(reader.GetDouble());

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(Math.Round(value.TotalSeconds, 6));
}
