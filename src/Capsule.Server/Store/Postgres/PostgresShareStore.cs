using Npgsql;

namespace Capsule.Server.Store.Postgres;

internal sealed class PostgresShareStore(PostgresDatabase database) : IShareStore
{
    private const string Columns = "share_id, session_id, api_key_id, port, is_public, created_at, revoked_at";

    public async Task InsertAsync(ShareRecord share, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            INSERT INTO shares ({Columns})
            VALUES (@id, @session, @key, @port, @public, @created, @revoked);
            """, connection);
        command.Parameters.AddWithValue("id", share.ShareId);
        command.Parameters.AddWithValue("session", share.SessionId);
        command.Parameters.AddWithValue("key", share.ApiKeyId);
        command.Parameters.AddWithValue("port", share.Port);
        command.Parameters.AddWithValue("public", share.IsPublic);
        command.Parameters.AddTime("created", share.CreatedAt);
        command.Parameters.AddTime("revoked", share.RevokedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ShareRecord?> GetAsync(string shareId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM shares WHERE share_id = @id;", connection);
        command.Parameters.AddWithValue("id", shareId);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<ShareRecord?> FindPrivateAsync(string apiKeyId, Guid sessionId, int port, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM shares
            WHERE api_key_id = @key AND session_id = @session AND port = @port AND NOT is_public AND revoked_at IS NULL
            ORDER BY created_at, seq LIMIT 1;
            """, connection);
        command.Parameters.AddWithValue("key", apiKeyId);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("port", port);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ShareRecord>> ListByKeyAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM shares WHERE api_key_id = @key ORDER BY created_at DESC, seq DESC;", connection);
        command.Parameters.AddWithValue("key", apiKeyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var shares = new List<ShareRecord>();
        while (await reader.ReadAsync(cancellationToken))
            shares.Add(Read(reader));
        return shares;
    }

    public async Task<bool> UpdateAsync(ShareRecord share, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE shares SET is_public = @public, revoked_at = @revoked WHERE share_id = @id;", connection);
        command.Parameters.AddWithValue("id", share.ShareId);
        command.Parameters.AddWithValue("public", share.IsPublic);
        command.Parameters.AddTime("revoked", share.RevokedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static async Task<ShareRecord?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ShareRecord Read(NpgsqlDataReader reader) => new()
    {
        ShareId = reader.GetString(0),
        SessionId = reader.GetGuid(1),
        ApiKeyId = reader.GetString(2),
        Port = reader.GetInt32(3),
        IsPublic = reader.GetBoolean(4),
        CreatedAt = PostgresTime.Read(reader, 5),
        RevokedAt = PostgresTime.ReadNullable(reader, 6),
    };
}
