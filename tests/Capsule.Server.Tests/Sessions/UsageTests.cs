namespace Capsule.Server.Tests.Sessions;

public sealed class UsageTests
{
    [Fact]
    public async Task Usage_NoKeyAtAll_AnswersForTheSessionIdInExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var keyed = app.Client(app.AdminKey);
        app.Machines.Script("work", FakeMachineHost.Result(cpuSeconds: 0.25));
        app.Machines.MemoryUsedMb = 97;
        app.Machines.NetworkCounters = new Capsule.Vm.NetworkCounters(RxBytes: 5000, TxBytes: 700, DeniedConnections: 2, DeniedLookups: 1);
        var sessionId = await keyed.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["memory_mb"] = 1024 });
        await keyed.ExecuteOkAsync(sessionId, "work", ct);
        await keyed.ExecuteOkAsync(sessionId, "work", ct);
        app.Time.Advance(TimeSpan.FromSeconds(12.5));
        using var anonymous = app.Client(apiKey: null);

        var (status, body) = await anonymous.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, ("session_id", JsonValueKind.String), ("cpu_time_seconds", JsonValueKind.Number),
            ("memory_mb", JsonValueKind.Number), ("memory_used_mb", JsonValueKind.Number), ("executions_count", JsonValueKind.Number),
            ("uptime_seconds", JsonValueKind.Number), ("vm_status", JsonValueKind.String), ("network_rx_bytes", JsonValueKind.Number),
            ("network_tx_bytes", JsonValueKind.Number), ("network_denied", JsonValueKind.Number),
            ("guest_cpu_seconds", JsonValueKind.Number));
        JsonShape.AssertJson($$"""
            {"session_id":"{{sessionId}}","cpu_time_seconds":0.5,"memory_mb":1024,"memory_used_mb":97,"executions_count":2,
             "uptime_seconds":12.5,"vm_status":"active","network_rx_bytes":5000,"network_tx_bytes":700,"network_denied":3,
             "guest_cpu_seconds":0.0}
            """, body);
        JsonShape.AssertFloat(body, "cpu_time_seconds");
    }

    [Fact]
    public async Task Usage_BeforeFirstVm_NullsForTheVm()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (_, body) = await client.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);

        JsonShape.AssertJson($$"""
            {"session_id":"{{sessionId}}","cpu_time_seconds":0.0,"memory_mb":512,"memory_used_mb":null,"executions_count":0,
             "uptime_seconds":null,"vm_status":null,"network_rx_bytes":null,"network_tx_bytes":null,"network_denied":null,
             "guest_cpu_seconds":null}
            """, body);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Usage_CountsAcrossVms_AfterKill()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("work", FakeMachineHost.Result(cpuSeconds: 1));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "work", ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        await client.ExecuteOkAsync(sessionId, "work", ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);

        var (_, body) = await client.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);

        Assert.Equal(2, (int)body!["executions_count"]!);
        Assert.Equal(2.0, (double)body["cpu_time_seconds"]!);
        Assert.Equal("killed", (string?)body["vm_status"]);
        Assert.Null(body["uptime_seconds"]);
        Assert.Null(body["memory_used_mb"]);
    }

    [Fact]
    public async Task Usage_WithAnotherKeysKey_Returns404_WithBadKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var owner = app.Client(app.AdminKey);
        var sessionId = await owner.CreateSessionAsync(app.AdminKey, ct);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);
        using var bad = app.Client("capsule_sk_wrong");

        var (otherStatus, otherBody) = await other.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);
        var (badStatus, _) = await bad.GetJsonAsync($"/v1/sessions/usage/{sessionId}", ct);

        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", otherBody);
        Assert.Equal(HttpStatusCode.Unauthorized, badStatus);
    }

    [Fact]
    public async Task Usage_NoKeyUnknownSession_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var anonymous = app.Client(apiKey: null);

        var (status, _) = await anonymous.GetJsonAsync($"/v1/sessions/usage/{Guid.NewGuid()}", ct);
        var (malformed, _) = await anonymous.GetJsonAsync("/v1/sessions/usage/abc", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.NotFound, malformed);
    }
}
