using Capsule.Server.Store.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Capsule.Server.Tests.Store;

/// <summary>PostgreSQL's migrations from an empty database: racing servers, a newer schema, a bad connection string.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMigrationsTests(PostgresServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_FourServersAtOnceOnAnEmptyDatabase_OneSchemaAndOneVersionRow()
    {
        var connectionString = await FreshDatabaseAsync();
        var databases = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(connectionString)).ToList();
        try
        {
            await Task.WhenAll(databases.Select(d => new PostgresMigrations(d, NullLogger<PostgresMigrations>.Instance).MigrateAsync(Ct)));

            await using var connection = await databases[0].OpenAsync(Ct);
            Assert.Equal([PostgresMigrations.LatestVersion], await VersionsAsync(connection, Ct));
            await using var tables = new NpgsqlCommand(
                "SELECT string_agg(table_name::text, ',' ORDER BY table_name::text COLLATE \"C\") FROM information_schema.tables WHERE table_schema = 'public';",
                connection);
            Assert.Equal("api_keys,egress_policies,executions,schema_version,sessions,shares", await tables.ExecuteScalarAsync(Ct));
        }
        finally
        {
            foreach (var database in databases)
                await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Migrate_SchemaNewerThanThisServer_RefusesAndChangesNothing()
    {
        await using var database = new PostgresDatabase(await FreshDatabaseAsync());
        var migrations = new PostgresMigrations(database, NullLogger<PostgresMigrations>.Instance);
        await migrations.MigrateAsync(Ct);
        await using (var connection = await database.OpenAsync(Ct))
        await using (var bump = new NpgsqlCommand("UPDATE schema_version SET version = version + 1;", connection))
            await bump.ExecuteNonQueryAsync(Ct);

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => migrations.MigrateAsync(Ct));

        Assert.Contains($"version {PostgresMigrations.LatestVersion + 1}", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_NobodyListening_FailsWithTheTargetAndTheSetting()
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=1;Database=capsule;Username=u;Password=secret-pw;Timeout=5");
        var migrations = new PostgresMigrations(database, NullLogger<PostgresMigrations>.Instance);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => migrations.MigrateAsync(Ct));

        Assert.StartsWith("Cannot open the PostgreSQL store at 127.0.0.1:1/capsule (Capsule:Cluster:Postgres): ", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Bogus=1", "is not a valid PostgreSQL connection string")]
    [InlineData("Host=db;Port=notanumber", "is not a valid PostgreSQL connection string")]
    [InlineData("Database=capsule", "names no Host")]
    public void Open_BadConnectionString_FailsNamingTheSetting(string connectionString, string expected)
    {
        var failure = Assert.Throws<InvalidOperationException>(() => new PostgresDatabase(connectionString));

        Assert.StartsWith("Capsule:Cluster:Postgres (CAPSULE_POSTGRES) ", failure.Message, StringComparison.Ordinal);
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    internal static async Task<IReadOnlyList<int>> VersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_version;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<int>();
        while (await reader.ReadAsync(cancellationToken))
            versions.Add(reader.GetInt32(0));
        return versions;
    }

    private async Task<string> FreshDatabaseAsync()
    {
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        return await server.CreateDatabaseAsync("migrations", Ct);
    }
}
