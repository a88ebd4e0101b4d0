using Microsoft.Data.Sqlite;

namespace Capsule.Server.Store;

/// <summary>
/// Creates and upgrades the schema at start. <c>schema_version</c> holds one row: the last migration applied.
/// Migrations only ever get appended; each runs in its own transaction.
/// </summary>
internal sealed partial class SqliteMigrations(SqliteDatabase database, ILogger<SqliteMigrations> logger) : IStoreMigrations
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            key_hash TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL,
            is_admin INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL
        );
        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            api_key_id TEXT NOT NULL REFERENCES api_keys(id),
            created_at TEXT NOT NULL,
            vm_lifetime_seconds INTEGER NOT NULL,
            memory_mb INTEGER NOT NULL,
            vcpu_count INTEGER NOT NULL,
            metadata_json TEXT NULL,
            env_json TEXT NOT NULL,
            vm_id TEXT NULL,
            vm_state TEXT NULL,
            spawned_at TEXT NULL,
            ended_at TEXT NULL
        );
        CREATE INDEX sessions_api_key_id ON sessions(api_key_id);
        CREATE INDEX sessions_vm_state ON sessions(vm_state);
        """,
        // 2: usage counters, key prefixes (older keys get the bare prefix), async executions.
        """
        ALTER TABLE sessions ADD COLUMN executions_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sessions ADD COLUMN cpu_time_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE api_keys ADD COLUMN key_prefix TEXT NOT NULL DEFAULT 'capsule_sk_';
        CREATE TABLE executions (
            task_id TEXT PRIMARY KEY,
            api_key_id TEXT NOT NULL REFERENCES api_keys(id),
            session_id TEXT NOT NULL REFERENCES sessions(session_id),
            status TEXT NOT NULL,
            stdout TEXT NOT NULL,
            stderr TEXT NOT NULL,
            exit_code INTEGER NULL,
            timed_out INTEGER NOT NULL,
            execution_time_s REAL NOT NULL,
            cpu_time_s REAL NOT NULL,
            created_at TEXT NOT NULL,
            completed_at TEXT NULL,
            error TEXT NULL
        );
        CREATE INDEX executions_api_key_id ON executions(api_key_id, created_at);
        CREATE INDEX executions_status ON executions(status);
        """,
        // 3: why a VM ended, in words; whether an execution's output was cut or a process of it was OOM-killed.
        """
        ALTER TABLE sessions ADD COLUMN end_detail TEXT NULL;
        ALTER TABLE executions ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE executions ADD COLUMN oom_killed INTEGER NOT NULL DEFAULT 0;
        """,
        // 4: shares: guest ports at URLs of the apps origin.
        """
        CREATE TABLE shares (
            share_id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(session_id),
            api_key_id TEXT NOT NULL REFERENCES api_keys(id),
            port INTEGER NOT NULL,
            is_public INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL
        );
        CREATE INDEX shares_api_key_id ON shares(api_key_id, session_id, port);
        """,
        // 5: sessions' egress policies (absent: the server's default).
        """
        CREATE TABLE egress_policies (
            session_id TEXT PRIMARY KEY REFERENCES sessions(session_id),
            policy_json TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        database.CreatePrivateFile();
        await using var connection = await database.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        await ExecuteAsync(connection, null, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);", cancellationToken);

        var current = await ReadVersionAsync(connection, cancellationToken);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database schema is version {current} but this server knows only up to {LatestVersion}; use a newer server");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, Migrations[version - 1], cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES ($version);";
                record.Parameters.AddWithValue("$version", version);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            LogMigrated(logger, version);
        }
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Database schema migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version);
}
