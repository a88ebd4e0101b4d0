using Capsule.Vm;

namespace Capsule.Server.Tests.Executions;

public sealed class AsyncExecutionTests
{
    private static readonly (string, JsonValueKind)[] ExecutionShapeCompleted =
    [
        ("task_id", JsonValueKind.String), ("session_id", JsonValueKind.String), ("status", JsonValueKind.String),
        ("is_complete", JsonValueKind.True), ("serialized_stdout", JsonValueKind.String), ("serialized_stderr", JsonValueKind.String),
        ("exit_code", JsonValueKind.Number), ("timed_out", JsonValueKind.False), ("truncated", JsonValueKind.False),
        ("oom_killed", JsonValueKind.False), ("execution_time", JsonValueKind.Number),
        ("cpu_time", JsonValueKind.Number), ("created_at", JsonValueKind.String), ("completed_at", JsonValueKind.String),
        ("error", JsonValueKind.Null),
    ];

    [Fact]
    public async Task ExecuteAsync_ThenPoll_ReturnsTaskIdThenCompletedResultInExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("work", FakeMachineHost.Result(stdout: "out\n", stderr: "err\n", exitCode: 3, wallSeconds: 1.5, cpuSeconds: 0.25));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, started) = await client.PostJsonAsync("/execute_async",
            new JsonObject { ["command"] = "work", ["session_id"] = sessionId, ["language"] = "bash" }, ct);
        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(started, ("task_id", JsonValueKind.String), ("session_id", JsonValueKind.String), ("status", JsonValueKind.String));
        Assert.Equal("queued", (string?)started!["status"]);
        Assert.Equal(sessionId, (string?)started["session_id"]);
        var taskId = (string)started["task_id"]!;
        Assert.True(Guid.TryParse(taskId, out _));

        var result = await client.WaitForExecutionAsync(taskId, ct);

        JsonShape.AssertExactly(result, ExecutionShapeCompleted);
        Assert.Equal(taskId, (string?)result["task_id"]);
        Assert.Equal(sessionId, (string?)result["session_id"]);
        Assert.Equal("completed", (string?)result["status"]);
        Assert.Equal("out\n", (string?)result["serialized_stdout"]);
        Assert.Equal("err\n", (string?)result["serialized_stderr"]);
        Assert.Equal(3, (int)result["exit_code"]!);
        Assert.Equal(1.5, (double)result["execution_time"]!);
        Assert.Equal(0.25, (double)result["cpu_time"]!);
        JsonShape.AssertFloat(result, "execution_time");
        JsonShape.AssertFloat(result, "cpu_time");
        Assert.Equal("2025-01-10T12:34:56", (string?)result["created_at"]);
        Assert.Equal(ExecLanguageKind.Bash, Assert.Single(app.Machines.Last.Execs).Language);
    }

    [Fact]
    public async Task GetExecution_WhileRunning_ReportsRunningWithOutputSoFar()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("slow", async (_, _, emit, token) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "first\n"));
            await release.Task.WaitAsync(token);
            await emit(new OutputChunk(OutputStreamKind.Stdout, "second\n"));
            return FakeMachineHost.Result(stdout: "first\nsecond\n");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var taskId = await client.ExecuteInBackgroundAsync(sessionId, "slow", ct);

        JsonNode? running = null;
        await Eventually.HoldsAsync(async () =>
        {
            (_, running) = await client.GetJsonAsync($"/v1/executions/{taskId}", ct);
            return (string?)running!["serialized_stdout"] == "first\n";
        }, "partial output visible", ct);
        release.SetResult();
        var done = await client.WaitForExecutionAsync(taskId, ct);

        Assert.Equal("running", (string?)running!["status"]);
        Assert.False((bool)running["is_complete"]!);
        Assert.Null(running["exit_code"]);
        Assert.Null(running["completed_at"]);
        Assert.Equal("first\nsecond\n", (string?)done["serialized_stdout"]);
        Assert.Equal("completed", (string?)done["status"]);
    }

    [Fact]
    public async Task GetExecution_VmKilledWhileRunning_ReportedFailedWithReason()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("forever", async (_, _, emit, token) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "partial"));
            running.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var taskId = await client.ExecuteInBackgroundAsync(sessionId, "forever", ct);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        var (killStatus, _) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var result = await client.WaitForExecutionAsync(taskId, ct);

        Assert.Equal(HttpStatusCode.OK, killStatus);
        Assert.Equal("failed", (string?)result["status"]);
        Assert.True((bool)result["is_complete"]!);
        Assert.Null(result["exit_code"]);
        Assert.Equal("partial", (string?)result["serialized_stdout"]);
        Assert.Contains("killed", (string?)result["error"], StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, result["completed_at"]!.GetValueKind());
    }

    [Fact]
    public async Task GetExecution_MachineCannotStart_ReportedFailedWith503Detail()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        app.Machines.FailNextStart = new MachineException(MachineErrorCode.CapacityExhausted, "16 machines running");

        var taskId = await client.ExecuteInBackgroundAsync(sessionId, "1", ct);
        var result = await client.WaitForExecutionAsync(taskId, ct);

        Assert.Equal("failed", (string?)result["status"]);
        Assert.Equal("This host has no capacity for another VM right now; try again later", (string?)result["error"]);
        Assert.Equal("This host has no capacity for another VM right now; try again later\n", (string?)result["serialized_stderr"]);
    }

    [Fact]
    public async Task GetExecution_GuestTimeout_CompletedWithTimedOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("sleep 99", FakeMachineHost.Result(stdout: "zz", exitCode: 124, timedOut: true));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var result = await client.WaitForExecutionAsync(await client.ExecuteInBackgroundAsync(sessionId, "sleep 99", ct), ct);

        Assert.Equal("completed", (string?)result["status"]);
        Assert.True((bool)result["timed_out"]!);
        Assert.Equal(124, (int)result["exit_code"]!);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("6a1f7f1e-8d3c-4a53-9d0a-3c0f6f0b9a11")]
    public async Task GetExecution_Unknown_Returns404(string taskId)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync($"/v1/executions/{taskId}", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Execution not found"}""", body);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownSession_Returns404AndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/execute_async",
            new JsonObject { ["command"] = "1", ["session_id"] = Guid.NewGuid().ToString() }, ct);
        var (_, list) = await client.GetJsonAsync("/v1/executions/", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", body);
        Assert.Equal(0, (int)list!["total"]!);
    }

    [Fact]
    public async Task ExecuteAsync_InvalidBody_Returns422LikeExecute()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/execute_async", new JsonObject { ["command"] = "1", ["timeout"] = 0 }, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""
            {"detail":[
              {"type":"missing","loc":["body","session_id"],"msg":"Field required","input":{"command":"1","timeout":0}},
              {"type":"greater_than_equal","loc":["body","timeout"],"msg":"Input should be greater than or equal to 1","input":0,"ctx":{"ge":1}}
            ]}
            """, body);
    }

    [Fact]
    public async Task ListExecutions_NewestFirstPagedWithTotal()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = await client.ExecuteInBackgroundAsync(sessionId, $"print({i})", ct);
            await client.WaitForExecutionAsync(id, ct);
            ids.Add(id);
            app.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var (status, page) = await client.GetJsonAsync("/v1/executions/?limit=2&offset=1", ct);
        var (_, all) = await client.GetJsonAsync("/v1/executions", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(page, ("executions", JsonValueKind.Array), ("limit", JsonValueKind.Number),
            ("offset", JsonValueKind.Number), ("total", JsonValueKind.Number));
        Assert.Equal(2, (int)page!["limit"]!);
        Assert.Equal(1, (int)page["offset"]!);
        Assert.Equal(5, (int)page["total"]!);
        Assert.Equal([ids[3], ids[2]], page["executions"]!.AsArray().Select(e => (string)e!["task_id"]!));
        JsonShape.AssertExactly(page["executions"]![0], ExecutionShapeCompleted);
        Assert.Equal(100, (int)all!["limit"]!);
        Assert.Equal(Enumerable.Reverse(ids), all["executions"]!.AsArray().Select(e => (string)e!["task_id"]!));
    }

    [Theory]
    [InlineData("limit=0", """{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}""")]
    [InlineData("limit=1001", """{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 1000","input":"1001","ctx":{"le":1000}}""")]
    [InlineData("offset=-1", """{"type":"greater_than_equal","loc":["query","offset"],"msg":"Input should be greater than or equal to 0","input":"-1","ctx":{"ge":0}}""")]
    [InlineData("limit=abc", """{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"}""")]
    public async Task ListExecutions_BadQuery_Returns422(string query, string error)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync($"/v1/executions/?{query}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$"""{"detail":[{{error}}]}""", body);
    }

    [Fact]
    public async Task Executions_CountInSessionUsage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("cpu", FakeMachineHost.Result(cpuSeconds: 0.75));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await client.WaitForExecutionAsync(await client.ExecuteInBackgroundAsync(sessionId, "cpu", ct), ct);
        await client.ExecuteOkAsync(sessionId, "cpu", ct);
        var (_, usage) = await client.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);

        Assert.Equal(2, (int)usage!["executions_count"]!);
        Assert.Equal(1.5, (double)usage["cpu_time_seconds"]!);
    }
}
