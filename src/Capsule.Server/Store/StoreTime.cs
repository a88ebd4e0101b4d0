using System.Globalization;

namespace Capsule.Server.Store;

/// <summary>Timestamps are stored as round-trip ISO 8601 text in UTC.</summary>
internal static class StoreTime
{
    public static object Write(DateTimeOffset? value) =>
        value is { } time ? time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) : DBNull.Value;

    public static DateTimeOffset Read(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
