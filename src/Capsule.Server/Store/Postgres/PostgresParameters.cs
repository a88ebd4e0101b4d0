using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Capsule.Server.Store.Postgres;

/// <summary>Typed parameters for values that may be null (an untyped null would leave PostgreSQL to guess).</summary>
internal static class PostgresParameters
{
    public static void AddText(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    public static void AddInteger(this NpgsqlParameterCollection parameters, string name, int? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = (object?)value ?? DBNull.Value });

    /// <summary>
    /// Guest output as UTF-8 <c>bytea</c>: PostgreSQL's <c>text</c> cannot hold U+0000, which guest programs print,
    /// and SQLite keeps it; lone surrogates become U+FFFD, as they do in SQLite's UTF-8.
    /// </summary>
    public static void AddUtf8(this NpgsqlParameterCollection parameters, string name, string value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bytea) { Value = Encoding.UTF8.GetBytes(value) });

    public static string GetUtf8(this NpgsqlDataReader reader, int ordinal) =>
        Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(ordinal));

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
