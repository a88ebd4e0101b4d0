using System.Text.Json;
using Capsule.Server.Egress;
using Npgsql;

namespace Capsule.Server.Store.Postgres;

internal sealed class PostgresEgressStore(PostgresDatabase database) : IEgressStore
{
    public async Task<EgressPolicy?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT policy_json FROM egress_policies WHERE session_id = @id;", connection);
        command.Parameters.AddWithValue("id", sessionId);
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? JsonSerializer.Deserialize(json, StoreJsonContext.Default.EgressPolicy)
            : null;
    }

    public async Task PutAsync(Guid sessionId, EgressPolicy policy, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO egress_policies (session_id, policy_json, updated_at) VALUES (@id, @policy, @updated)
            ON CONFLICT (session_id) DO UPDATE SET policy_json = excluded.policy_json, updated_at = excluded.updated_at;
            """, connection);
        command.Parameters.AddWithValue("id", sessionId);
        command.Parameters.AddWithValue("policy", JsonSerializer.Serialize(policy, StoreJsonContext.Default.EgressPolicy));
        command.Parameters.AddTime("updated", updatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
