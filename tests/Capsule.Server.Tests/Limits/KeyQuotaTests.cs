namespace Capsule.Server.Tests.Limits;

/// <summary>Per-key caps on running sessions and unfinished background executions: 429 past the cap, per key, released at the end.</summary>
public sealed class KeyQuotaTests
{
    private static readonly Dictionary<string, string?> TwoOfEach = new()
    {
        ["Capsule:RateLimit:MaxRunningSessionsPerKey"] = "2",
        ["Capsule:RateLimit:MaxPendingExecutionsPerKey"] = "2",
    };

    private static readonly JsonObject WithEnv = new() { ["env"] = new JsonObject { ["A"] = "1" } };

    [Fact]
    public async Task RunningSessions_OverTheCap_429UntilOneIsKilled_OtherKeysUnaffected()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: TwoOfEach);
        using var admin = app.Client(app.AdminKey);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);
        // A session without a VM holds nothing: it does not count until its first execute spawns one.
        var idle = await admin.CreateSessionAsync(app.AdminKey, ct);
        var first = await admin.CreateSessionAsync(app.AdminKey, ct, WithEnv);
        await admin.CreateSessionAsync(app.AdminKey, ct, WithEnv);

        // Both a create that would spawn at once and a first execute that would spawn are refused.
        var (createStatus, createBody) = await admin.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["env"] = new JsonObject { ["A"] = "1" } }, ct);
        var (execStatus, execBody) = await admin.PostJsonAsync("/execute",
            new JsonObject { ["command"] = "print(1)", ["session_id"] = idle }, ct);
        await other.CreateSessionAsync(otherKey, ct, WithEnv);
        await admin.PostJsonAsync("/kill", new JsonObject { ["session_id"] = first }, ct);
        await admin.ExecuteOkAsync(idle, "print(1)", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, createStatus);
        Assert.Contains("2 running sessions", (string?)createBody!["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, execStatus);
        Assert.Contains("2 running sessions", (string?)execBody!["detail"], StringComparison.Ordinal);
        Assert.Equal(4, app.Machines.Started.Count);
    }

    [Fact]
    public async Task RunningSessions_ACrashedVm_GivesItsPlaceBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: TwoOfEach);
        using var admin = app.Client(app.AdminKey);
        await admin.CreateSessionAsync(app.AdminKey, ct, WithEnv);
        var crashing = await admin.CreateSessionAsync(app.AdminKey, ct, WithEnv);

        app.Machines.Last.Crash();
        await WaitForStatusAsync(admin, crashing, "crashed", ct);
        var third = await admin.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["env"] = new JsonObject { ["A"] = "1" } }, ct);

        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Fact]
    public async Task PendingExecutions_OverTheCap_429_FreedWhenOneFinishes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: TwoOfEach);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Machines.Script("block", async (_, _, token) =>
        {
            await release.Task.WaitAsync(token);
            return FakeMachineHost.Result(stdout: "done\n");
        });
        using var admin = app.Client(app.AdminKey);
        var session = await admin.CreateSessionAsync(app.AdminKey, ct);
        var a = await admin.ExecuteInBackgroundAsync(session, "block", ct);
        await admin.ExecuteInBackgroundAsync(session, "block", ct);

        var (refused, body) = await admin.PostJsonAsync("/execute_async",
            new JsonObject { ["command"] = "block", ["session_id"] = session }, ct);
        release.SetResult();
        await admin.WaitForExecutionAsync(a, ct);
        var accepted = await admin.ExecuteInBackgroundAsync(session, "print(1)", ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.Contains("2 unfinished background executions", (string?)body!["detail"], StringComparison.Ordinal);
        Assert.Equal("completed", (string?)(await admin.WaitForExecutionAsync(accepted, ct))["status"]);
    }

    private static async Task WaitForStatusAsync(HttpClient client, string sessionId, string status, CancellationToken ct)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        while ((string?)(await client.StatusOkAsync(sessionId, patience.Token))["vm_status"] != status)
            await Task.Delay(10, patience.Token);
    }
}
