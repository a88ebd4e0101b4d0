using System.Text.Json;
using Npgsql;

namespace Capsule.Server.Store.Postgres;

internal sealed class PostgresSessionStore(PostgresDatabase database) : ISessionStore
{
    private const string Columns = """
        session_id, api_key_id, created_at, vm_lifetime_seconds, memory_mb, vcpu_count,
        metadata_json, env_json, vm_id, vm_state, spawned_at, ended_at, executions_count, cpu_time_ms, end_detail
        """;

    public async Task InsertAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            INSERT INTO sessions (session_id, api_key_id, created_at, vm_lifetime_seconds, memory_mb, vcpu_count,
                                  metadata_json, env_json, vm_id, vm_state, spawned_at, ended_at)
            VALUES (@id, @key, @created, @lifetime, @memory, @vcpu, @metadata, @env, @vm, @state, @spawned, @ended);
            """, connection);
        command.Parameters.AddWithValue("id", session.SessionId);
        command.Parameters.AddWithValue("key", session.ApiKeyId);
        command.Parameters.AddTime("created", session.CreatedAt);
        command.Parameters.AddWithValue("lifetime", session.VmLifetimeSeconds);
        command.Parameters.AddWithValue("memory", session.MemoryMb);
        command.Parameters.AddWithValue("vcpu", session.VcpuCount);
        command.Parameters.AddText("metadata", session.MetadataJson);
        command.Parameters.AddWithValue("env", JsonSerializer.Serialize(
            new Dictionary<string, string>(session.Env), StoreJsonContext.Default.DictionaryStringString));
        command.Parameters.AddText("vm", session.VmId);
        command.Parameters.AddText("state", session.VmState?.ToWire());
        command.Parameters.AddTime("spawned", session.SpawnedAt);
        command.Parameters.AddTime("ended", session.EndedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SessionRecord?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM sessions WHERE session_id = @id;", connection);
        command.Parameters.AddWithValue("id", sessionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListByKeyAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"SELECT {Columns} FROM sessions WHERE api_key_id = @key ORDER BY created_at DESC, seq DESC;", connection);
        command.Parameters.AddWithValue("key", apiKeyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sessions = new List<SessionRecord>();
        while (await reader.ReadAsync(cancellationToken))
            sessions.Add(Read(reader));
        return sessions;
    }

    public async Task UpdateLifetimeAsync(Guid sessionId, int vmLifetimeSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE sessions SET vm_lifetime_seconds = @lifetime WHERE session_id = @id;", connection);
        command.Parameters.AddWithValue("id", sessionId);
        command.Parameters.AddWithValue("lifetime", vmLifetimeSeconds);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddExecutionAsync(Guid sessionId, long cpuTimeMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement, so concurrent executions (from any server) add up instead of overwriting each other.
        await using var command = new NpgsqlCommand("""
            UPDATE sessions SET executions_count = executions_count + 1, cpu_time_ms = cpu_time_ms + @cpu
            WHERE session_id = @id;
            """, connection);
        command.Parameters.AddWithValue("id", sessionId);
        command.Parameters.AddWithValue("cpu", cpuTimeMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkSpawnedAsync(Guid sessionId, string vmId, DateTimeOffset spawnedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE sessions SET vm_id = @vm, vm_state = 'active', spawned_at = @spawned, ended_at = NULL, end_detail = NULL
            WHERE session_id = @id;
            """, connection);
        command.Parameters.AddWithValue("id", sessionId);
        command.Parameters.AddWithValue("vm", vmId);
        command.Parameters.AddTime("spawned", spawnedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkEndedAsync(
        Guid sessionId, VmState reason, string detail, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE sessions SET vm_state = @state, ended_at = @ended, end_detail = @detail WHERE session_id = @id;", connection);
        command.Parameters.AddWithValue("id", sessionId);
        command.Parameters.AddWithValue("state", reason.ToWire());
        command.Parameters.AddWithValue("detail", detail);
        command.Parameters.AddTime("ended", endedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> MarkActiveAsHostRestartAsync(string detail, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE sessions SET vm_state = 'host_restart', ended_at = @ended, end_detail = @detail WHERE vm_state = 'active';",
            connection);
        command.Parameters.AddWithValue("detail", detail);
        command.Parameters.AddTime("ended", endedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SessionRecord Read(NpgsqlDataReader reader) => new()
    {
        SessionId = reader.GetGuid(0),
        ApiKeyId = reader.GetString(1),
        CreatedAt = PostgresTime.Read(reader, 2),
        VmLifetimeSeconds = reader.GetInt32(3),
        MemoryMb = reader.GetInt32(4),
        VcpuCount = reader.GetInt32(5),
        MetadataJson = reader.GetNullableString(6),
        Env = JsonSerializer.Deserialize(reader.GetString(7), StoreJsonContext.Default.DictionaryStringString) ?? [],
        VmId = reader.GetNullableString(8),
        VmState = reader.IsDBNull(9) ? null : VmStateNames.Parse(reader.GetString(9)),
        SpawnedAt = PostgresTime.ReadNullable(reader, 10),
        EndedAt = PostgresTime.ReadNullable(reader, 11),
        ExecutionsCount = reader.GetInt32(12),
        CpuTimeMs = reader.GetInt64(13),
        EndDetail = reader.GetNullableString(14),
    };
}
