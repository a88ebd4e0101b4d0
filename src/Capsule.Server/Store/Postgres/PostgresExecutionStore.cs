using Npgsql;

namespace Capsule.Server.Store.Postgres;

internal sealed class PostgresExecutionStore(PostgresDatabase database) : IExecutionStore
{
    private const string Columns = """
        task_id, api_key_id, session_id, status, stdout, stderr, exit_code, timed_out,
        execution_time_s, cpu_time_s, created_at, completed_at, error, truncated, oom_killed
        """;

    public async Task InsertAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            INSERT INTO executions ({Columns})
            VALUES (@id, @key, @session, @status, @stdout, @stderr, @exit, @timed_out, @wall, @cpu, @created, @completed, @error, @truncated, @oom);
            """, connection);
        Bind(command, execution);
        command.Parameters.AddWithValue("key", execution.ApiKeyId);
        command.Parameters.AddWithValue("session", execution.SessionId);
        command.Parameters.AddTime("created", execution.CreatedAt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ExecutionRecord?> GetAsync(Guid taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM executions WHERE task_id = @id;", connection);
        command.Parameters.AddWithValue("id", taskId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<(IReadOnlyList<ExecutionRecord> Page, int Total)> ListByKeyAsync(
        string apiKeyId, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var page = new List<ExecutionRecord>();
        await using (var command = new NpgsqlCommand($"""
            SELECT {Columns} FROM executions WHERE api_key_id = @key
            ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset;
            """, connection))
        {
            command.Parameters.AddWithValue("key", apiKeyId);
            command.Parameters.AddWithValue("limit", limit);
            command.Parameters.AddWithValue("offset", offset);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                page.Add(Read(reader));
        }

        await using var count = new NpgsqlCommand("SELECT COUNT(*)::integer FROM executions WHERE api_key_id = @key;", connection);
        count.Parameters.AddWithValue("key", apiKeyId);
        var total = (int)(await count.ExecuteScalarAsync(cancellationToken))!;
        return (page, total);
    }

    public async Task MarkRunningAsync(Guid taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE executions SET status = 'running' WHERE task_id = @id AND status = 'queued';", connection);
        command.Parameters.AddWithValue("id", taskId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task FinishAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE executions SET status = @status, stdout = @stdout, stderr = @stderr, exit_code = @exit,
                timed_out = @timed_out, execution_time_s = @wall, cpu_time_s = @cpu, completed_at = @completed, error = @error,
                truncated = @truncated, oom_killed = @oom
            WHERE task_id = @id;
            """, connection);
        Bind(command, execution);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> FailUnfinishedAsync(string error, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            UPDATE executions SET status = 'failed', error = @error, completed_at = @completed
            WHERE status IN ('queued', 'running');
            """, connection);
        command.Parameters.AddWithValue("error", error);
        command.Parameters.AddTime("completed", completedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The columns that change over an execution's life.</summary>
    private static void Bind(NpgsqlCommand command, ExecutionRecord execution)
    {
        command.Parameters.AddWithValue("id", execution.TaskId);
        command.Parameters.AddWithValue("status", execution.Status.ToWire());
        command.Parameters.AddUtf8("stdout", execution.Stdout);
        command.Parameters.AddUtf8("stderr", execution.Stderr);
        command.Parameters.AddInteger("exit", execution.ExitCode);
        command.Parameters.AddWithValue("timed_out", execution.TimedOut);
        command.Parameters.AddWithValue("wall", execution.ExecutionTime.TotalSeconds);
        command.Parameters.AddWithValue("cpu", execution.CpuTime.TotalSeconds);
        command.Parameters.AddTime("completed", execution.CompletedAt);
        command.Parameters.AddText("error", execution.Error);
        command.Parameters.AddWithValue("truncated", execution.Truncated);
        command.Parameters.AddWithValue("oom", execution.OomKilled);
    }

    private static ExecutionRecord Read(NpgsqlDataReader reader) => new()
    {
        TaskId = reader.GetGuid(0),
        ApiKeyId = reader.GetString(1),
        SessionId = reader.GetGuid(2),
        Status = ExecutionStatusNames.Parse(reader.GetString(3)),
        Stdout = reader.GetUtf8(4),
        Stderr = reader.GetUtf8(5),
        ExitCode = reader.IsDBNull(6) ? null : reader.GetInt32(6),
        TimedOut = reader.GetBoolean(7),
        ExecutionTime = TimeSpan.FromSeconds(reader.GetDouble(8)),
        CpuTime = TimeSpan.FromSeconds(reader.GetDouble(9)),
        CreatedAt = PostgresTime.Read(reader, 10),
        CompletedAt = PostgresTime.ReadNullable(reader, 11),
        Error = reader.GetNullableString(12),
        Truncated = reader.GetBoolean(13),
        OomKilled = reader.GetBoolean(14),
    };
}
