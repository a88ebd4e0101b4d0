using Capsule.Server.Hosting;
using Capsule.Server.Store;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Server.Tests.Store;

/// <summary>The store contract on SQLite: a fresh database file in a temp directory per test.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("capsule-store-").FullName;
    private SqliteDatabase? _database;

    private protected override int LatestVersion => SqliteMigrations.LatestVersion;

    private protected override DateTimeOffset Stored(DateTimeOffset time) => time.ToUniversalTime();

    private protected override async Task<StoreSet> OpenAsync(CancellationToken cancellationToken)
    {
        _database = new SqliteDatabase(new CapsulePaths(_directory));
        var migrations = new SqliteMigrations(_database, NullLogger<SqliteMigrations>.Instance);
        await migrations.MigrateAsync(cancellationToken);
        return new StoreSet(
            migrations,
            new SqliteApiKeyStore(_database),
            new SqliteSessionStore(_database),
            new SqliteExecutionStore(_database),
            new SqliteShareStore(_database),
            new SqliteEgressStore(_database),
            new Cleanup(_database, _directory));
    }

    private protected override async Task<IReadOnlyList<int>> SchemaVersionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database!.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_version;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<int>();
        while (await reader.ReadAsync(cancellationToken))
            versions.Add(reader.GetInt32(0));
        return versions;
    }

    private sealed class Cleanup(SqliteDatabase database, string directory) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            database.Dispose();
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
