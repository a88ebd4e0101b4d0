using Npgsql;

namespace Capsule.Server.Store.Postgres;

internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    private const string Columns = "id, key_hash, key_prefix, description, is_admin, created_at, revoked_at";

    public async Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            INSERT INTO api_keys ({Columns})
            VALUES (@id, @hash, @prefix, @description, @admin, @created, @revoked);
            """, connection);
        command.Parameters.AddWithValue("id", key.Id);
        command.Parameters.AddWithValue("hash", key.KeyHash);
        command.Parameters.AddWithValue("prefix", key.KeyPrefix);
        command.Parameters.AddWithValue("description", key.Description);
        command.Parameters.AddWithValue("admin", key.IsAdmin);
        command.Parameters.AddTime("created", key.CreatedAt);
        command.Parameters.AddTime("revoked", key.RevokedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken) =>
        FindOneAsync("key_hash = @value", keyHash, cancellationToken);

    public Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        FindOneAsync("id = @value", id, cancellationToken);

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM api_keys ORDER BY created_at, seq;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(Read(reader));
        return keys;
    }

    public async Task<bool> HasActiveAdminAsync(CancellationToken cancellationToken) =>
        await CountActiveAdminsAsync(cancellationToken) > 0;

    public async Task<int> CountActiveAdminsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT COUNT(*)::integer FROM api_keys WHERE is_admin AND revoked_at IS NULL;", connection);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> UpdateDescriptionAsync(string id, string description, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("UPDATE api_keys SET description = @description WHERE id = @id;", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("description", description);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE api_keys SET revoked_at = @revoked WHERE id = @id AND revoked_at IS NULL;", connection);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddTime("revoked", revokedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<ApiKeyRecord?> FindOneAsync(string condition, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM api_keys WHERE {condition};", connection);
        command.Parameters.AddWithValue("value", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ApiKeyRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        KeyHash = reader.GetString(1),
        KeyPrefix = reader.GetString(2),
        Description = reader.GetString(3),
        IsAdmin = reader.GetBoolean(4),
        CreatedAt = PostgresTime.Read(reader, 5),
        RevokedAt = PostgresTime.ReadNullable(reader, 6),
    };
}
