using System.Globalization;
using System.Text.Json;

namespace Capsule.Client.Wire;

/// <summary>Wire scalars to .NET: seconds to <see cref="TimeSpan"/>, ISO-8601 text to UTC times, JSON metadata to strings.</summary>
internal static class WireValues
{
    public static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    public static TimeSpan? Seconds(double? seconds) => seconds is { } value ? TimeSpan.FromSeconds(value) : null;

    /// <summary>Whole seconds for the wire, rounded up so a sub-second value never becomes 0.</summary>
    public static int WholeSeconds(TimeSpan value) => (int)Math.Ceiling(value.TotalSeconds);

    /// <summary>Parses a server time; one without an offset (InstaVM writes naive ISO) is UTC. Unparseable is null.</summary>
    public static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;

    /// <summary>Metadata as strings: string values as they are, any other JSON value as its JSON text.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(Dictionary<string, JsonElement>? metadata) =>
        metadata is null
            ? new Dictionary<string, string>()
            : metadata.ToDictionary(
                pair => pair.Key,
                pair => pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString()! : pair.Value.GetRawText(),
                StringComparer.Ordinal);

    public static string? Language(CodeLanguage language) => language switch
    {
        CodeLanguage.Auto => null,
        CodeLanguage.Python => "python",
        CodeLanguage.Bash => "bash",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "Unknown language"),
    };
}
