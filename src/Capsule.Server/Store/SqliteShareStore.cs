using Microsoft.Data.Sqlite;

namespace Capsule.Server.Store;

internal sealed class SqliteShareStore(SqliteDatabase database) : IShareStore
{
    private const string Columns = "share_id, session_id, api_key_id, port, is_public, created_at, revoked_at";

    public async Task InsertAsync(ShareRecord share, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO shares ({Columns})
            VALUES ($id, $session, $key, $port, $public, $created, $revoked);
            """;
        command.Parameters.AddWithValue("$id", share.ShareId);
        command.Parameters.AddWithValue("$session", share.SessionId.ToString("D"));
        command.Parameters.AddWithValue("$key", share.ApiKeyId);
        command.Parameters.AddWithValue("$port", share.Port);
        command.Parameters.AddWithValue("$public", share.IsPublic ? 1 : 0);
        command.Parameters.AddWithValue("$created", StoreTime.Write(share.CreatedAt));
        command.Parameters.AddWithValue("$revoked", StoreTime.Write(share.RevokedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ShareRecord?> GetAsync(string shareId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM shares WHERE share_id = $id;";
        command.Parameters.AddWithValue("$id", shareId);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<ShareRecord?> FindPrivateAsync(string apiKeyId, Guid sessionId, int port, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM shares
            WHERE api_key_id = $key AND session_id = $session AND port = $port AND is_public = 0 AND revoked_at IS NULL
            ORDER BY created_at LIMIT 1;
            """;
        command.Parameters.AddWithValue("$key", apiKeyId);
        command.Parameters.AddWithValue("$session", sessionId.ToString("D"));
        command.Parameters.AddWithValue("$port", port);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<ShareRecord>> ListByKeyAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM shares WHERE api_key_id = $key ORDER BY created_at DESC, rowid DESC;";
        command.Parameters.AddWithValue("$key", apiKeyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var shares = new List<ShareRecord>();
        while (await reader.ReadAsync(cancellationToken))
            shares.Add(Read(reader));
        return shares;
    }

    public async Task<bool> UpdateAsync(ShareRecord share, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE shares SET is_public = $public, revoked_at = $revoked WHERE share_id = $id;";
        command.Parameters.AddWithValue("$id", share.ShareId);
        command.Parameters.AddWithValue("$public", share.IsPublic ? 1 : 0);
        command.Parameters.AddWithValue("$revoked", StoreTime.Write(share.RevokedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private static async Task<ShareRecord?> ReadOneAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ShareRecord Read(SqliteDataReader reader) => new()
    {
        ShareId = reader.GetString(0),
        SessionId = Guid.Parse(reader.GetString(1)),
        ApiKeyId = reader.GetString(2),
        Port = reader.GetInt32(3),
        IsPublic = reader.GetInt64(4) != 0,
        CreatedAt = StoreTime.Read(reader.GetString(5)),
        RevokedAt = reader.IsDBNull(6) ? null : StoreTime.Read(reader.GetString(6)),
    };
}
