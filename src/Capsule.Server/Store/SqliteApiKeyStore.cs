namespace Capsule.Server.Store;

internal sealed class SqliteApiKeyStore(SqliteDatabase database) : IApiKeyStore
{
    public async Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO api_keys (id, key_hash, description, is_admin, created_at, revoked_at)
            VALUES ($id, $hash, $description, $admin, $created, $revoked);
            """;
        command.Parameters.AddWithValue("$id", key.Id);
        command.Parameters.AddWithValue("$hash", key.KeyHash);
        command.Parameters.AddWithValue("$description", key.Description);
        command.Parameters.AddWithValue("$admin", key.IsAdmin ? 1 : 0);
        command.Parameters.AddWithValue("$created", StoreTime.Write(key.CreatedAt));
        command.Parameters.AddWithValue("$revoked", StoreTime.Write(key.RevokedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, key_hash, description, is_admin, created_at, revoked_at FROM api_keys WHERE key_hash = $hash;
            """;
        command.Parameters.AddWithValue("$hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new ApiKeyRecord
        {
            Id = reader.GetString(0),
            KeyHash = reader.GetString(1),
            Description = reader.GetString(2),
            IsAdmin = reader.GetInt64(3) != 0,
            CreatedAt = StoreTime.Read(reader.GetString(4)),
            RevokedAt = reader.IsDBNull(5) ? null : StoreTime.Read(reader.GetString(5)),
        };
    }

    public async Task<bool> HasActiveAdminAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM api_keys WHERE is_admin = 1 AND revoked_at IS NULL);";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = $revoked WHERE id = $id AND revoked_at IS NULL;";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$revoked", StoreTime.Write(revokedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
