using Capsule.Vm;

namespace Capsule.Server.Tests.Executions;

public sealed class StreamTests
{
    private static JsonObject Body(string sessionId, string command, bool? detach = null)
    {
        var body = new JsonObject { ["command"] = command, ["session_id"] = sessionId };
        if (detach is { } value)
            body["detach"] = value;
        return body;
    }

    [Fact]
    public async Task Stream_OutputThenExit_EventsInProductionOrderPerStream()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("mixed", async (_, _, emit, _) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "o1\n"));
            await emit(new OutputChunk(OutputStreamKind.Stderr, "e1\n"));
            await emit(new OutputChunk(OutputStreamKind.Stdout, "o2\n"));
            await emit(new OutputChunk(OutputStreamKind.Stdout, "o3 <é>\n"));
            await emit(new OutputChunk(OutputStreamKind.Stderr, "e2\n"));
            return FakeMachineHost.Result(stdout: "o1\no2\no3 <é>\n", stderr: "e1\ne2\n", exitCode: 2, wallSeconds: 1, cpuSeconds: 0.5);
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await using var stream = await EventStream.OpenAsync(client, Body(sessionId, "mixed"), ct);
        var events = await stream.ReadAllAsync(ct);

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["stdout", "stderr", "stdout", "stdout", "stderr", "exit"], events.Select(e => e.Name));
        Assert.Equal(["o1\n", "o2\n", "o3 <é>\n"], events.Where(e => e.Name == "stdout").Select(e => (string)e.Data["text"]!));
        Assert.Equal(["e1\n", "e2\n"], events.Where(e => e.Name == "stderr").Select(e => (string)e.Data["text"]!));
        JsonShape.AssertExactly(events[0].Data, ("text", JsonValueKind.String));
        var exit = events[^1].Data;
        JsonShape.AssertExactly(exit, ("exit_code", JsonValueKind.Number), ("timed_out", JsonValueKind.False),
            ("execution_time", JsonValueKind.Number), ("cpu_time", JsonValueKind.Number),
            ("truncated", JsonValueKind.False), ("oom_killed", JsonValueKind.False));
        Assert.Equal(2, (int)exit["exit_code"]!);
        Assert.Equal(1.0, (double)exit["execution_time"]!);
        Assert.Equal(0.5, (double)exit["cpu_time"]!);
        JsonShape.AssertFloat(exit, "execution_time");
    }

    [Fact]
    public async Task Stream_ChunkArrivesWhileTheProcessStillRuns()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("progress", async (_, _, emit, token) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "started\n"));
            await release.Task.WaitAsync(token);
            await emit(new OutputChunk(OutputStreamKind.Stdout, "finished\n"));
            return FakeMachineHost.Result(stdout: "started\nfinished\n");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await using var stream = await EventStream.OpenAsync(client, Body(sessionId, "progress"), ct);
        var first = await stream.NextAsync(ct);
        var releasedBeforeFirstChunk = release.Task.IsCompleted;
        release.SetResult();
        var rest = await stream.ReadAllAsync(ct);

        Assert.False(releasedBeforeFirstChunk);
        Assert.Equal("started\n", (string?)first!.Value.Data["text"]);
        Assert.Equal(["stdout", "exit"], rest.Select(e => e.Name));
        Assert.Equal("finished\n", (string?)rest[0].Data["text"]);
    }

    [Fact]
    public async Task Stream_ClientDisconnects_ProcessIsKilled()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("forever", async (_, _, emit, token) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "tick\n"));
            using var registration = token.Register(() => killed.TrySetResult());
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        using var disconnect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stream = await EventStream.OpenAsync(client, Body(sessionId, "forever"), disconnect.Token);
        Assert.Equal("stdout", (await stream.NextAsync(ct))!.Value.Name);
        await disconnect.CancelAsync();
        await stream.DisposeAsync();

        await killed.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var (_, usage) = await client.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);
        Assert.Equal(0, (int)usage!["executions_count"]!);
    }

    [Fact]
    public async Task Stream_DetachedClientDisconnects_ProcessRunsToTheEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        app.Machines.Script("job", async (_, _, emit, token) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "working\n"));
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            cancelled = token.IsCancellationRequested;
            await emit(new OutputChunk(OutputStreamKind.Stdout, "done\n"));
            return FakeMachineHost.Result(stdout: "working\ndone\n");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        using var disconnect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stream = await EventStream.OpenAsync(client, Body(sessionId, "job", detach: true), disconnect.Token);
        Assert.Equal("stdout", (await stream.NextAsync(ct))!.Value.Name);
        await disconnect.CancelAsync();
        await stream.DisposeAsync();
        release.SetResult();

        await Eventually.HoldsAsync(async () =>
        {
            var (_, usage) = await client.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);
            return (int)usage!["executions_count"]! == 1;
        }, "the detached execution finished", ct);
        Assert.False(cancelled);
    }

    [Fact]
    public async Task Stream_VmKilledMidway_ErrorEventWithDetail()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("forever", async (_, _, emit, token) =>
        {
            await emit(new OutputChunk(OutputStreamKind.Stdout, "tick\n"));
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await using var stream = await EventStream.OpenAsync(client, Body(sessionId, "forever"), ct);
        Assert.Equal("stdout", (await stream.NextAsync(ct))!.Value.Name);
        var (killStatus, _) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var rest = await stream.ReadAllAsync(ct);

        Assert.Equal(HttpStatusCode.OK, killStatus);
        var (name, data) = Assert.Single(rest);
        Assert.Equal("error", name);
        JsonShape.AssertExactly(data, ("detail", JsonValueKind.String));
        Assert.Contains("killed", (string?)data["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_MachineCannotStart_Returns503JsonBeforeAnyEvent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        app.Machines.FailNextStart = new MachineException(MachineErrorCode.CapacityExhausted, "full");

        var (status, body) = await client.PostJsonAsync("/v1/execute/stream", Body(sessionId, "1"), ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        JsonShape.AssertJson("""{"detail":"This host has no capacity for another VM right now; try again later"}""", body);
    }

    [Fact]
    public async Task Stream_UnknownSessionOrNoKey_PlainJsonErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        using var anonymous = app.Client(apiKey: null);

        var (unknown, unknownBody) = await client.PostJsonAsync("/v1/execute/stream", Body(Guid.NewGuid().ToString(), "1"), ct);
        var (noKey, _) = await anonymous.PostJsonAsync("/v1/execute/stream", Body(Guid.NewGuid().ToString(), "1"), ct);
        var (invalid, invalidBody) = await client.PostJsonAsync("/v1/execute/stream",
            new JsonObject { ["command"] = "1", ["session_id"] = "x", ["detach"] = "maybe" }, ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", unknownBody);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid);
        JsonShape.AssertJson("""
            {"detail":[{"type":"bool_parsing","loc":["body","detach"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}
            """, invalidBody);
    }
}
