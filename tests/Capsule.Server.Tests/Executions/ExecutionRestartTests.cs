using Capsule.Server.Executions;
using Capsule.Server.Hosting;
using Microsoft.Data.Sqlite;

namespace Capsule.Server.Tests.Executions;

public sealed class ExecutionRestartTests
{
    [Fact]
    public async Task Restart_CompletedExecution_StillReadableWithSameResult()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            string key, taskId;
            JsonNode before;
            await using (var first = new CapsuleApp(dataDirectory))
            {
                key = first.AdminKey;
                using var client = first.Client(key);
                first.Machines.Script("work", FakeMachineHost.Result(stdout: "kept\n", exitCode: 7));
                var sessionId = await client.CreateSessionAsync(key, ct);
                taskId = await client.ExecuteInBackgroundAsync(sessionId, "work", ct);
                before = await client.WaitForExecutionAsync(taskId, ct);
            }

            await using var second = new CapsuleApp(dataDirectory);
            using var again = second.Client(key);
            var (status, after) = await again.GetJsonAsync($"/v1/executions/{taskId}", ct);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(JsonNode.DeepEquals(before, after), $"{before.ToJsonString()}\n{after?.ToJsonString()}");
            Assert.Equal("kept\n", (string?)after!["serialized_stdout"]);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Stop_ExecutionRunning_RecordedFailedBecauseServerStopped()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            string key, taskId;
            var first = new CapsuleApp(dataDirectory);
            key = first.AdminKey;
            using (var client = first.Client(key))
            {
                first.Machines.Script("forever", async (_, _, token) =>
                {
                    running.TrySetResult();
                    await Task.Delay(Timeout.Infinite, token);
                    throw new InvalidOperationException("unreachable");
                });
                var sessionId = await client.CreateSessionAsync(key, ct);
                taskId = await client.ExecuteInBackgroundAsync(sessionId, "forever", ct);
                await running.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
            }
            await first.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);

            await using var second = new CapsuleApp(dataDirectory);
            using var again = second.Client(key);
            var (_, after) = await again.GetJsonAsync($"/v1/executions/{taskId}", ct);

            Assert.Equal("failed", (string?)after!["status"]);
            Assert.True((bool)after["is_complete"]!);
            Assert.Equal(ExecutionRunner.ServerStoppedError, (string?)after["error"]);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Start_ExecutionLeftRunningByCrashedPredecessor_ReportedFailed()
    {
        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("capsule-st-").FullName;
        try
        {
            string key, taskId;
            await using (var first = new CapsuleApp(dataDirectory))
            {
                key = first.AdminKey;
                using var client = first.Client(key);
                var sessionId = await client.CreateSessionAsync(key, ct);
                taskId = await client.ExecuteInBackgroundAsync(sessionId, "1", ct);
                await client.WaitForExecutionAsync(taskId, ct);
            }
            // A crash (SIGKILL) leaves the row as it was mid-run.
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "capsule.db")};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE executions SET status = 'running', exit_code = NULL, completed_at = NULL WHERE task_id = $id";
                command.Parameters.AddWithValue("$id", taskId);
                Assert.Equal(1, command.ExecuteNonQuery());
            }

            await using var second = new CapsuleApp(dataDirectory);
            using var again = second.Client(key);
            var (_, after) = await again.GetJsonAsync($"/v1/executions/{taskId}", ct);

            Assert.Equal("failed", (string?)after!["status"]);
            Assert.True((bool)after["is_complete"]!);
            Assert.Equal(StartupService.RestartedError, (string?)after["error"]);
            Assert.Equal("2025-01-10T12:34:56", (string?)after["completed_at"]);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
