using Npgsql;

namespace Capsule.Server.Tests.Store;

/// <summary>The whole server with <c>Capsule:Cluster:Postgres</c> set: everything it stores lands in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresServerAppTests(PostgresServer server)
{
    [Fact]
    public async Task Server_WithPostgresSetting_StoresKeysSessionsAndUsageThereAndNoSqliteFile()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.SkipWhen(server.SkipReason is not null, server.SkipReason ?? "");
        var connectionString = await server.CreateDatabaseAsync("server_app", ct);

        string sessionId;
        await using (var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Cluster:Postgres"] = connectionString }))
        {
            using var client = app.Client(app.AdminKey);
            sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
            await client.ExecuteOkAsync(sessionId, "print(1)", ct);
            await client.ExecuteOkAsync(sessionId, "print(2)", ct);
            Assert.False(File.Exists(Path.Combine(app.DataDirectory, "capsule.db")));
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            SELECT s.executions_count, s.vm_state, k.is_admin FROM sessions s JOIN api_keys k ON k.id = s.api_key_id
            WHERE s.session_id = @id;
            """, connection);
        command.Parameters.AddWithValue("id", Guid.Parse(sessionId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        Assert.True(await reader.ReadAsync(ct));
        Assert.Equal((2, "host_lost", true), (reader.GetInt32(0), reader.GetString(1), reader.GetBoolean(2)));
    }

    [Fact]
    public async Task Server_PostgresUnreachable_DoesNotStart()
    {
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?>
        {
            ["Capsule:Cluster:Postgres"] = "Host=127.0.0.1;Port=1;Database=capsule;Username=capsule;Timeout=3",
        });

        Assert.ThrowsAny<Exception>(app.StartServer);
        Assert.False(File.Exists(Path.Combine(app.DataDirectory, "capsule.db")));
        Assert.False(File.Exists(app.AdminKeyFile));
    }
}
