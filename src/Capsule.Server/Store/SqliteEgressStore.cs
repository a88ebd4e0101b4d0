using System.Text.Json;
using Capsule.Server.Egress;

namespace Capsule.Server.Store;

internal sealed class SqliteEgressStore(SqliteDatabase database) : IEgressStore
{
    public async Task<EgressPolicy?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT policy_json FROM egress_policies WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        return await command.ExecuteScalarAsync(cancellationToken) is string json
            ? JsonSerializer.Deserialize(json, StoreJsonContext.Default.EgressPolicy)
            : null;
    }

    public async Task PutAsync(Guid sessionId, EgressPolicy policy, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO egress_policies (session_id, policy_json, updated_at) VALUES ($id, $policy, $updated)
            ON CONFLICT(session_id) DO UPDATE SET policy_json = excluded.policy_json, updated_at = excluded.updated_at;
            """;
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        command.Parameters.AddWithValue("$policy", JsonSerializer.Serialize(policy, StoreJsonContext.Default.EgressPolicy));
        command.Parameters.AddWithValue("$updated", StoreTime.Write(updatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
