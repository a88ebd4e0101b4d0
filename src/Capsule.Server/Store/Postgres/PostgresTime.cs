using Npgsql;
using NpgsqlTypes;

namespace Capsule.Server.Store.Postgres;

/// <summary>
/// Timestamps are <c>timestamptz</c>, written in UTC. PostgreSQL keeps microseconds, so the last digit of a .NET
/// tick is dropped (truncated, as the wire format <c>WireTime</c> does); read back, the offset is zero, as SQLite's.
/// </summary>
internal static class PostgresTime
{
    public static void AddTime(this NpgsqlParameterCollection parameters, string name, DateTimeOffset? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz)
        {
            Value = value is { } time ? Truncate(time).UtcDateTime : DBNull.Value,
        });

    public static DateTimeOffset Read(NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal).ToUniversalTime();

    public static DateTimeOffset? ReadNullable(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Read(reader, ordinal);

    /// <summary>The value PostgreSQL stores for <paramref name="time"/>: UTC, whole microseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }
}
