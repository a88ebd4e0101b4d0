using Capsule.Server.Store.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Capsule.Server.Tests.Store;

/// <summary>
/// The store contract on PostgreSQL: one fresh database for this class on the private server, emptied before each
/// test. Skips, with the reason, when PostgreSQL 15 is not installed.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer server) : StoreContractTests
{
    private static Task<string>? s_database;
    private static readonly Lock s_gate = new();
    private PostgresDatabase? _database;

    private protected override int LatestVersion => PostgresMigrations.LatestVersion;

    private protected override DateTimeOffset Stored(DateTimeOffset time) => PostgresTime.Truncate(time);

    private protected override async Task<StoreSet> OpenAsync(CancellationToken cancellationToken)
    {
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        Task<string> created;
        lock (s_gate)
            created = s_database ??= server.CreateDatabaseAsync("store_contract", CancellationToken.None);
        _database = new PostgresDatabase(await created);
        var migrations = new PostgresMigrations(_database, NullLogger<PostgresMigrations>.Instance);
        await migrations.MigrateAsync(cancellationToken);
        await using (var connection = await _database.OpenAsync(cancellationToken))
        await using (var truncate = new NpgsqlCommand(
            "TRUNCATE api_keys, sessions, executions, shares, egress_policies RESTART IDENTITY;", connection))
        {
            await truncate.ExecuteNonQueryAsync(cancellationToken);
        }
        return new StoreSet(
            migrations,
            new PostgresApiKeyStore(_database),
            new PostgresSessionStore(_database),
            new PostgresExecutionStore(_database),
            new PostgresShareStore(_database),
            new PostgresEgressStore(_database),
            _database);
    }

    private protected override async Task<IReadOnlyList<int>> SchemaVersionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database!.OpenAsync(cancellationToken);
        return await PostgresMigrationsTests.VersionsAsync(connection, cancellationToken);
    }
}
