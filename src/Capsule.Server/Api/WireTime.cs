using System.Globalization;

namespace Capsule.Server.Api;

/// <summary>
/// Timestamps on the wire: naive ISO 8601 in UTC, as Python's <c>datetime.isoformat()</c> writes a naive UTC time
/// (<c>2025-01-10T12:34:56</c>, with <c>.ffffff</c> only when there are microseconds).
/// </summary>
internal static class WireTime
{
    public static string Format(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var format = utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.ffffff";
        return utc.ToString(format, CultureInfo.InvariantCulture);
    }

    public static string? Format(DateTimeOffset? time) => time is { } value ? Format(value) : null;
}
