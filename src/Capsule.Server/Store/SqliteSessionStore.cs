using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Capsule.Server.Store;

internal sealed class SqliteSessionStore(SqliteDatabase database) : ISessionStore
{
    private const string Columns = """
        session_id, api_key_id, created_at, vm_lifetime_seconds, memory_mb, vcpu_count,
        metadata_json, env_json, vm_id, vm_state, spawned_at, ended_at, executions_count, cpu_time_ms, end_detail
        """;

    public async Task InsertAsync(SessionRecord session, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO sessions (session_id, api_key_id, created_at, vm_lifetime_seconds, memory_mb, vcpu_count,
                                  metadata_json, env_json, vm_id, vm_state, spawned_at, ended_at)
            VALUES ($id, $key, $created, $lifetime, $memory, $vcpu, $metadata, $env, $vm, $state, $spawned, $ended);
            """;
        command.Parameters.AddWithValue("$id", session.SessionId.ToString("D"));
        command.Parameters.AddWithValue("$key", session.ApiKeyId);
        command.Parameters.AddWithValue("$created", StoreTime.Write(session.CreatedAt));
        command.Parameters.AddWithValue("$lifetime", session.VmLifetimeSeconds);
        command.Parameters.AddWithValue("$memory", session.MemoryMb);
        command.Parameters.AddWithValue("$vcpu", session.VcpuCount);
        command.Parameters.AddWithValue("$metadata", (object?)session.MetadataJson ?? DBNull.Value);
        command.Parameters.AddWithValue("$env", JsonSerializer.Serialize(
            new Dictionary<string, string>(session.Env), StoreJsonContext.Default.DictionaryStringString));
        command.Parameters.AddWithValue("$vm", (object?)session.VmId ?? DBNull.Value);
        command.Parameters.AddWithValue("$state", (object?)session.VmState?.ToWire() ?? DBNull.Value);
        command.Parameters.AddWithValue("$spawned", StoreTime.Write(session.SpawnedAt));
        command.Parameters.AddWithValue("$ended", StoreTime.Write(session.EndedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<SessionRecord?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM sessions WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListByKeyAsync(string apiKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM sessions WHERE api_key_id = $key ORDER BY created_at DESC, rowid DESC;";
        command.Parameters.AddWithValue("$key", apiKeyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sessions = new List<SessionRecord>();
        while (await reader.ReadAsync(cancellationToken))
            sessions.Add(Read(reader));
        return sessions;
    }

    public async Task UpdateLifetimeAsync(Guid sessionId, int vmLifetimeSeconds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sessions SET vm_lifetime_seconds = $lifetime WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        command.Parameters.AddWithValue("$lifetime", vmLifetimeSeconds);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddExecutionAsync(Guid sessionId, long cpuTimeMs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE sessions SET executions_count = executions_count + 1, cpu_time_ms = cpu_time_ms + $cpu
            WHERE session_id = $id;
            """;
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        command.Parameters.AddWithValue("$cpu", cpuTimeMs);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkSpawnedAsync(Guid sessionId, string vmId, DateTimeOffset spawnedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE sessions SET vm_id = $vm, vm_state = 'active', spawned_at = $spawned, ended_at = NULL, end_detail = NULL
            WHERE session_id = $id;
            """;
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        command.Parameters.AddWithValue("$vm", vmId);
        command.Parameters.AddWithValue("$spawned", StoreTime.Write(spawnedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkEndedAsync(
        Guid sessionId, VmState reason, string detail, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sessions SET vm_state = $state, ended_at = $ended, end_detail = $detail WHERE session_id = $id;";
        command.Parameters.AddWithValue("$id", sessionId.ToString("D"));
        command.Parameters.AddWithValue("$state", reason.ToWire());
        command.Parameters.AddWithValue("$detail", detail);
        command.Parameters.AddWithValue("$ended", StoreTime.Write(endedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> MarkActiveAsHostRestartAsync(string detail, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "UPDATE sessions SET vm_state = 'host_restart', ended_at = $ended, end_detail = $detail WHERE vm_state = 'active';";
        command.Parameters.AddWithValue("$detail", detail);
        command.Parameters.AddWithValue("$ended", StoreTime.Write(endedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SessionRecord Read(SqliteDataReader reader) => new()
    {
        SessionId = Guid.Parse(reader.GetString(0)),
        ApiKeyId = reader.GetString(1),
        CreatedAt = StoreTime.Read(reader.GetString(2)),
        VmLifetimeSeconds = reader.GetInt32(3),
        MemoryMb = reader.GetInt32(4),
        VcpuCount = reader.GetInt32(5),
        MetadataJson = reader.IsDBNull(6) ? null : reader.GetString(6),
        Env = JsonSerializer.Deserialize(reader.GetString(7), StoreJsonContext.Default.DictionaryStringString) ?? [],
        VmId = reader.IsDBNull(8) ? null : reader.GetString(8),
        VmState = reader.IsDBNull(9) ? null : VmStateNames.Parse(reader.GetString(9)),
        SpawnedAt = reader.IsDBNull(10) ? null : StoreTime.Read(reader.GetString(10)),
        EndedAt = reader.IsDBNull(11) ? null : StoreTime.Read(reader.GetString(11)),
        ExecutionsCount = reader.GetInt32(12),
        CpuTimeMs = reader.GetInt64(13),
        EndDetail = reader.IsDBNull(14) ? null : reader.GetString(14),
    };
}
