using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Capsule.Server.Store;

internal sealed class SqliteExecutionStore(SqliteDatabase database) : IExecutionStore
{
    private const string Columns = """
        task_id, api_key_id, session_id, status, stdout, stderr, exit_code, timed_out,
        execution_time_s, cpu_time_s, created_at, completed_at, error, truncated, oom_killed
        """;

    public async Task InsertAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO executions ({Columns})
            VALUES ($id, $key, $session, $status, $stdout, $stderr, $exit, $timed_out, $wall, $cpu, $created, $completed, $error, $truncated, $oom);
            """;
        Bind(command, execution);
        command.Parameters.AddWithValue("$key", execution.ApiKeyId);
        command.Parameters.AddWithValue("$session", execution.SessionId.ToString("D"));
        command.Parameters.AddWithValue("$created", StoreTime.Write(execution.CreatedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ExecutionRecord?> GetAsync(Guid taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM executions WHERE task_id = $id;";
        command.Parameters.AddWithValue("$id", taskId.ToString("D"));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<(IReadOnlyList<ExecutionRecord> Page, int Total)> ListByKeyAsync(
        string apiKeyId, int limit, int offset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM executions WHERE api_key_id = $key
            ORDER BY created_at DESC, rowid DESC LIMIT $limit OFFSET $offset;
            """;
        command.Parameters.AddWithValue("$key", apiKeyId);
        command.Parameters.AddWithValue("$limit", limit);
        command.Parameters.AddWithValue("$offset", offset);
        var page = new List<ExecutionRecord>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                page.Add(Read(reader));
        }

        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM executions WHERE api_key_id = $key;";
        count.Parameters.AddWithValue("$key", apiKeyId);
        var total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return (page, total);
    }

    public async Task MarkRunningAsync(Guid taskId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE executions SET status = 'running' WHERE task_id = $id AND status = 'queued';";
        command.Parameters.AddWithValue("$id", taskId.ToString("D"));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task FinishAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE executions SET status = $status, stdout = $stdout, stderr = $stderr, exit_code = $exit,
                timed_out = $timed_out, execution_time_s = $wall, cpu_time_s = $cpu, completed_at = $completed, error = $error,
                truncated = $truncated, oom_killed = $oom
            WHERE task_id = $id;
            """;
        Bind(command, execution);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> FailUnfinishedAsync(string error, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE executions SET status = 'failed', error = $error, completed_at = $completed
            WHERE status IN ('queued', 'running');
            """;
        command.Parameters.AddWithValue("$error", error);
        command.Parameters.AddWithValue("$completed", StoreTime.Write(completedAt));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The columns that change over an execution's life.</summary>
    private static void Bind(SqliteCommand command, ExecutionRecord execution)
    {
        command.Parameters.AddWithValue("$id", execution.TaskId.ToString("D"));
        command.Parameters.AddWithValue("$status", execution.Status.ToWire());
        command.Parameters.AddWithValue("$stdout", execution.Stdout);
        command.Parameters.AddWithValue("$stderr", execution.Stderr);
        command.Parameters.AddWithValue("$exit", (object?)execution.ExitCode ?? DBNull.Value);
        command.Parameters.AddWithValue("$timed_out", execution.TimedOut ? 1 : 0);
        command.Parameters.AddWithValue("$wall", execution.ExecutionTime.TotalSeconds);
        command.Parameters.AddWithValue("$cpu", execution.CpuTime.TotalSeconds);
        command.Parameters.AddWithValue("$completed", StoreTime.Write(execution.CompletedAt));
        command.Parameters.AddWithValue("$error", (object?)execution.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("$truncated", execution.Truncated ? 1 : 0);
        command.Parameters.AddWithValue("$oom", execution.OomKilled ? 1 : 0);
    }

    private static ExecutionRecord Read(SqliteDataReader reader) => new()
    {
        TaskId = Guid.Parse(reader.GetString(0)),
        ApiKeyId = reader.GetString(1),
        SessionId = Guid.Parse(reader.GetString(2)),
        Status = ExecutionStatusNames.Parse(reader.GetString(3)),
        Stdout = reader.GetString(4),
        Stderr = reader.GetString(5),
        ExitCode = reader.IsDBNull(6) ? null : reader.GetInt32(6),
        TimedOut = reader.GetInt64(7) != 0,
        ExecutionTime = TimeSpan.FromSeconds(reader.GetDouble(8)),
        CpuTime = TimeSpan.FromSeconds(reader.GetDouble(9)),
        CreatedAt = StoreTime.Read(reader.GetString(10)),
        CompletedAt = reader.IsDBNull(11) ? null : StoreTime.Read(reader.GetString(11)),
        Error = reader.IsDBNull(12) ? null : reader.GetString(12),
        Truncated = reader.GetInt64(13) != 0,
        OomKilled = reader.GetInt64(14) != 0,
    };
}
