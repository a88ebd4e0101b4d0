namespace Capsule.Server.Tests.Sessions;

public sealed class KillTests
{
    [Fact]
    public async Task Kill_ActiveSession_DisposesMachineAndReturnsExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);
        var machine = app.Machines.Last;

        var (status, body) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body,
            ("status", JsonValueKind.String), ("message", JsonValueKind.String),
            ("session_id", JsonValueKind.String), ("vm_id", JsonValueKind.String));
        Assert.Equal("success", (string?)body!["status"]);
        Assert.Equal($"Session {sessionId} killed", (string?)body["message"]);
        Assert.Equal(sessionId, (string?)body["session_id"]);
        Assert.Equal(machine.MachineId, (string?)body["vm_id"]);
        Assert.True(machine.IsDisposed);
    }

    [Fact]
    public async Task Kill_ThenStatus_SaysKilledAndNotAlive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var status = await client.StatusOkAsync(sessionId, ct);

        Assert.Equal("killed", (string?)status["vm_status"]);
        Assert.False((bool)status["vm_alive"]!);
        Assert.False((bool)status["vm_assigned"]!);
        Assert.Equal(0.0, (double)status["expires_in_seconds"]!);
    }

    [Fact]
    public async Task Kill_Twice_SecondReturns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        var (first, _) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var (second, body) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.NotFound, second);
        Assert.Equal(JsonValueKind.String, body!["detail"]!.GetValueKind());
    }

    [Fact]
    public async Task Kill_NeverExecuted_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Kill_UnknownSession_Returns404SessionNotFound()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = Guid.NewGuid().ToString() }, ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", body);
    }

    [Fact]
    public async Task Kill_SessionIdNotAUuid_Returns400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = "abc" }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(JsonValueKind.String, body!["detail"]!.GetValueKind());
    }

    [Fact]
    public async Task Kill_SessionIdMissing_Returns422()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostRawAsync("/kill", "{}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"missing","loc":["body","session_id"],"msg":"Field required","input":{}}]}""", body);
    }

    [Fact]
    public async Task Kill_WhileExecuteRuns_CancelsItAndExecuteGets409()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawCancel = false;
        app.Machines.Script("while True: pass", async (_, _, token) =>
        {
            running.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                sawCancel = true;
                throw;
            }
            throw new InvalidOperationException("unreachable");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        var execute = client.PostJsonAsync("/execute", new JsonObject { ["command"] = "while True: pass", ["session_id"] = sessionId }, ct);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        var (killStatus, _) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var (execStatus, execBody) = await execute;

        Assert.Equal(HttpStatusCode.OK, killStatus);
        Assert.Equal(HttpStatusCode.Conflict, execStatus);
        Assert.Contains("killed", (string?)execBody!["detail"], StringComparison.Ordinal);
        Assert.True(sawCancel);
        Assert.True(app.Machines.Last.IsDisposed);
    }

    [Fact]
    public async Task Kill_ExecStartedBeforeKill_NeverOverlapsMachineDisposal()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var disposedDuringExec = false;
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("slow", async (machine, _, token) =>
        {
            running.TrySetResult();
            // Ignores cancellation for a moment, as a guest mid-kill would; the VM must stay up until it returns.
            await Task.Delay(200, CancellationToken.None);
            disposedDuringExec = machine.IsDisposed;
            token.ThrowIfCancellationRequested();
            return FakeMachineHost.Result();
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        var execute = client.PostJsonAsync("/execute", new JsonObject { ["command"] = "slow", ["session_id"] = sessionId }, ct);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var (execStatus, _) = await execute;

        Assert.Equal(HttpStatusCode.Conflict, execStatus);
        Assert.False(disposedDuringExec);
        Assert.True(app.Machines.Last.IsDisposed);
    }
}
