namespace Capsule.Server.Tests.Sessions;

public sealed class LifetimeTests
{
    [Fact]
    public async Task Lifetime_Elapsed_VmDestroyedAndStatusExpired()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 20 });
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);
        var machine = app.Machines.Last;

        app.Time.Advance(TimeSpan.FromSeconds(20));
        await Eventually.HoldsAsync(async () =>
            (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"] == "expired", "status says expired", ct);

        Assert.True(machine.IsDisposed);
        var status = await client.StatusOkAsync(sessionId, ct);
        Assert.False((bool)status["vm_alive"]!);
        Assert.Equal(0.0, (double)status["expires_in_seconds"]!);
        var (_, health) = await client.GetJsonAsync("/health", ct);
        Assert.Equal(0, (int)health!["machines_running"]!);
    }

    [Fact]
    public async Task Lifetime_NotYetElapsed_VmStillActive()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 20 });
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        app.Time.Advance(TimeSpan.FromSeconds(19.9));
        var status = await client.StatusOkAsync(sessionId, ct);

        Assert.Equal("active", (string?)status["vm_status"]);
        Assert.False(app.Machines.Last.IsDisposed);
    }

    [Fact]
    public async Task Lifetime_AfterExpiry_NextExecuteSpawnsFreshMachineWithFreshLifetime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 20 });
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);
        app.Time.Advance(TimeSpan.FromSeconds(25));
        await Eventually.HoldsAsync(async () =>
            (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"] == "expired", "status says expired", ct);

        await client.ExecuteOkAsync(sessionId, "print(x)", ct);
        var status = await client.StatusOkAsync(sessionId, ct);

        Assert.Equal(2, app.Machines.Started.Count);
        var fresh = app.Machines.Last;
        Assert.Equal(["print(x)"], fresh.Execs.Select(e => e.Code));
        Assert.Equal("active", (string?)status["vm_status"]);
        Assert.Equal(fresh.MachineId, (string?)status["vm_id"]);
        Assert.Equal(20.0, (double)status["expires_in_seconds"]!);
        Assert.Equal(0.0, (double)status["uptime_seconds"]!);
    }

    [Fact]
    public async Task Lifetime_ExpiresDuringExecute_ExecuteGets409AndVmIsDestroyed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("long", async (_, _, token) =>
        {
            running.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 20 });
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        var execute = client.PostJsonAsync("/execute", new JsonObject { ["command"] = "long", ["session_id"] = sessionId }, ct);
        await running.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        app.Time.Advance(TimeSpan.FromSeconds(20));
        var (status, body) = await execute;

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("lifetime", (string?)body!["detail"], StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => Task.FromResult(app.Machines.Last.IsDisposed), "machine disposed", ct);
    }
}
