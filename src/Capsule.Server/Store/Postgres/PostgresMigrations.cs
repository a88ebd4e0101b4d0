using System.Globalization;
using Npgsql;

namespace Capsule.Server.Store.Postgres;

/// <summary>
/// Creates and upgrades the PostgreSQL schema at start. Several servers may start together against one database, so
/// the whole upgrade is one transaction under a transaction-scoped advisory lock: the first server migrates, the others
/// wait for it, then find nothing to do. <c>schema_version</c> holds one row, the last migration applied; migrations
/// only ever get appended. The numbering is PostgreSQL's own (version 1 is the schema SQLite reached at its 5).
/// </summary>
internal sealed partial class PostgresMigrations(PostgresDatabase database, ILogger<PostgresMigrations> logger) : IStoreMigrations
{
    /// <summary>Key of the advisory lock ("Capsule" in ASCII); advisory locks are per database.</summary>
    private const long LockKey = 0x43617073756C65;

    // The same references as SQLite's schema (Microsoft.Data.Sqlite enforces them), so both stores refuse the same
    // writes. seq keeps insertion order, SQLite's rowid, for ties in created_at.
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE api_keys (
            id text PRIMARY KEY,
            key_hash text NOT NULL UNIQUE,
            key_prefix text NOT NULL,
            description text NOT NULL,
            is_admin boolean NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        );
        CREATE TABLE sessions (
            session_id uuid PRIMARY KEY,
            api_key_id text NOT NULL REFERENCES api_keys (id),
            created_at timestamptz NOT NULL,
            vm_lifetime_seconds integer NOT NULL,
            memory_mb integer NOT NULL,
            vcpu_count integer NOT NULL,
            metadata_json text NULL,
            env_json text NOT NULL,
            vm_id text NULL,
            vm_state text NULL,
            spawned_at timestamptz NULL,
            ended_at timestamptz NULL,
            executions_count integer NOT NULL DEFAULT 0,
            cpu_time_ms bigint NOT NULL DEFAULT 0,
            end_detail text NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        );
        CREATE INDEX sessions_api_key_id ON sessions (api_key_id, created_at);
        CREATE INDEX sessions_vm_state ON sessions (vm_state);
        CREATE TABLE executions (
            task_id uuid PRIMARY KEY,
            api_key_id text NOT NULL REFERENCES api_keys (id),
            session_id uuid NOT NULL REFERENCES sessions (session_id),
            status text NOT NULL,
            stdout bytea NOT NULL,
            stderr bytea NOT NULL,
            exit_code integer NULL,
            timed_out boolean NOT NULL,
            execution_time_s double precision NOT NULL,
            cpu_time_s double precision NOT NULL,
            created_at timestamptz NOT NULL,
            completed_at timestamptz NULL,
            error text NULL,
            truncated boolean NOT NULL DEFAULT false,
            oom_killed boolean NOT NULL DEFAULT false,
            seq bigint GENERATED ALWAYS AS IDENTITY
        );
        CREATE INDEX executions_api_key_id ON executions (api_key_id, created_at);
        CREATE INDEX executions_status ON executions (status);
        CREATE TABLE shares (
            share_id text PRIMARY KEY,
            session_id uuid NOT NULL REFERENCES sessions (session_id),
            api_key_id text NOT NULL REFERENCES api_keys (id),
            port integer NOT NULL,
            is_public boolean NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        );
        CREATE INDEX shares_api_key_id ON shares (api_key_id, session_id, port);
        CREATE TABLE egress_policies (
            session_id uuid PRIMARY KEY REFERENCES sessions (session_id),
            policy_json text NOT NULL,
            updated_at timestamptz NOT NULL
        );
        """,
    ];

    public static int LatestVersion => Migrations.Length;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey});", cancellationToken);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", cancellationToken);

        var current = await ReadVersionAsync(connection, transaction, cancellationToken);
        if (current > LatestVersion)
        {
            throw new InvalidOperationException(
                $"The database schema is version {current} but this server knows only up to {LatestVersion}; use a newer server");
        }

        for (var version = current + 1; version <= LatestVersion; version++)
        {
            await ExecuteAsync(connection, transaction, Migrations[version - 1], cancellationToken);
            await using var record = new NpgsqlCommand(
                "DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (@version);", connection, transaction);
            record.Parameters.AddWithValue("version", version);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        // Logged after the commit: until then another server could still see the old version.
        for (var version = current + 1; version <= LatestVersion; version++)
            LogMigrated(logger, version, database.Target);
    }

    /// <summary>The first contact with the database: a failure here is the operator's to fix, so say where and why.</summary>
    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await database.OpenAsync(cancellationToken);
        }
        catch (NpgsqlException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException(
                $"Cannot open the PostgreSQL store at {database.Target} ({PostgresSettings.ConfigurationKey}): {ex.Message}", ex);
        }
    }

    private static async Task<int> ReadVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection, transaction);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "PostgreSQL schema at {Target} migrated to version {Version}")]
    private static partial void LogMigrated(ILogger logger, int version, string target);
}
