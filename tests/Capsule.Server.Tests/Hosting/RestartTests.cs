using Capsule.Server.Hosting;
using Capsule.Server.Store;
using Microsoft.Data.Sqlite;

namespace Capsule.Server.Tests.Hosting;

public sealed class RestartTests
{
    [Fact]
    public async Task Stop_DestroysEveryMachineAndRecordsHostLost()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            var first = new CapsuleApp(dataDirectory);
            string a, b;
            using (var client = first.Client(first.AdminKey))
            {
                a = await client.CreateSessionAsync(first.AdminKey, ct);
                b = await client.CreateSessionAsync(first.AdminKey, ct);
                await client.ExecuteOkAsync(a, "1", ct);
                await client.ExecuteOkAsync(b, "2", ct);
            }
            var machines = first.Machines.Started;

            await first.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);

            Assert.Equal(2, machines.Count);
            Assert.All(machines, m => Assert.True(m.IsDisposed));
            Assert.Equal("host_lost", ReadVmState(dataDirectory, a));
            Assert.Equal("host_lost", ReadVmState(dataDirectory, b));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_SessionLeftActiveByCrashedPredecessor_MarkedHostRestartAndUsableAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            string sessionId, key, vmId;
            await using (var first = new CapsuleApp(dataDirectory))
            {
                key = first.AdminKey;
                using var client = first.Client(key);
                sessionId = await client.CreateSessionAsync(key, ct);
                await client.ExecuteOkAsync(sessionId, "1", ct);
                vmId = first.Machines.Last.MachineId;
            }
            // A crash (SIGKILL) skips the clean shutdown: the row still says active.
            SetVmState(dataDirectory, sessionId, "active");

            await using var second = new CapsuleApp(dataDirectory);
            using var again = second.Client(key);
            var status = await again.StatusOkAsync(sessionId, ct);

            Assert.Equal("host_restart", (string?)status["vm_status"]);
            var info = await again.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);
            Assert.Equal("host_restart", (string?)info.Body!["end_reason"]);
            Assert.Contains("server was killed", (string?)info.Body["end_detail"], StringComparison.Ordinal);
            Assert.False((bool)status["vm_alive"]!);
            Assert.Equal(vmId, (string?)status["vm_id"]);
            Assert.Equal("2025-01-10T12:34:56", (string?)status["created_at"]);
            await again.ExecuteOkAsync(sessionId, "print(2)", ct);
            Assert.Equal("active", (string?)(await again.StatusOkAsync(sessionId, ct))["vm_status"]);
            Assert.Single(second.Machines.Started);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_Twice_SchemaVersionRecordedOnce()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            await using (var first = new CapsuleApp(dataDirectory))
                _ = first.AdminKey;
            await using (var second = new CapsuleApp(dataDirectory))
                _ = second.AdminKey;

            using var connection = Open(dataDirectory);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT group_concat(version) FROM schema_version";
            Assert.Equal(SqliteMigrations.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), command.ExecuteScalar());
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", command.ExecuteScalar());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_SecondServerOnTheSameDataDirectory_RefusesAndLeavesTheFirstAlone()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            await using var first = new CapsuleApp(dataDirectory);
            using var client = first.Client(first.AdminKey);
            var sessionId = await client.CreateSessionAsync(first.AdminKey, ct);
            await client.ExecuteOkAsync(sessionId, "1", ct);

            await using (var second = new CapsuleApp(dataDirectory))
            {
                // The refusal's own message is asserted on the lock below: when a minimal-hosting app fails to start,
                // WebApplicationFactory sometimes surfaces an ObjectDisposedException of its own instead of it.
                Assert.ThrowsAny<Exception>(second.StartServer);
            }
            using (var lockAgain = new DataDirectoryLock(new CapsulePaths(dataDirectory)))
            {
                var refusal = Assert.Throws<InvalidOperationException>(lockAgain.Acquire);
                Assert.Contains($"Another Capsule server is using the data directory {dataDirectory}", refusal.Message, StringComparison.Ordinal);
            }

            Assert.Equal("active", ReadVmState(dataDirectory, sessionId));
            Assert.False(first.Machines.Last.IsDisposed);
            await client.ExecuteOkAsync(sessionId, "2", ct);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static SqliteConnection Open(string dataDirectory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "capsule.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private static string? ReadVmState(string dataDirectory, string sessionId)
    {
        using var connection = Open(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT vm_state FROM sessions WHERE session_id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        return command.ExecuteScalar() as string;
    }

    private static void SetVmState(string dataDirectory, string sessionId, string state)
    {
        using var connection = Open(dataDirectory);
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE sessions SET vm_state = $state, ended_at = NULL WHERE session_id = $id";
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$state", state);
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
