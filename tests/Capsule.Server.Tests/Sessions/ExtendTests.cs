namespace Capsule.Server.Tests.Sessions;

public sealed class ExtendTests
{
    [Fact]
    public async Task Extend_ActiveVm_ExpiresNSecondsFromNowAndReturnsStatus()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 60 });
        await client.ExecuteOkAsync(sessionId, "1", ct);
        app.Time.Advance(TimeSpan.FromSeconds(50));

        var (status, body) = await client.PostJsonAsync($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 120 }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, ("session_id", JsonValueKind.String), ("exists", JsonValueKind.True), ("vm_assigned", JsonValueKind.True),
            ("vm_status", JsonValueKind.String), ("vm_id", JsonValueKind.String), ("vm_alive", JsonValueKind.True),
            ("uptime_seconds", JsonValueKind.Number), ("expires_in_seconds", JsonValueKind.Number), ("created_at", JsonValueKind.String));
        Assert.Equal(120.0, (double)body!["expires_in_seconds"]!);
        Assert.Equal(50.0, (double)body["uptime_seconds"]!);

        // The old deadline (60 s after spawn) passes: the VM lives on.
        app.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal("active", (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"]);
        Assert.False(app.Machines.Last.IsDisposed);
        var (_, info) = await client.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);
        Assert.Equal(170, (int)info!["vm_lifetime_seconds"]!);

        // The new one expires it.
        app.Time.Advance(TimeSpan.FromSeconds(100));
        await Eventually.HoldsAsync(async () =>
            (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"] == "expired", "expired at the new deadline", ct);
        Assert.True(app.Machines.Last.IsDisposed);
    }

    [Fact]
    public async Task Extend_PastThe24hCap_Returns422AndChangesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 86400 });
        await client.ExecuteOkAsync(sessionId, "1", ct);
        app.Time.Advance(TimeSpan.FromHours(1));

        var (status, body) = await client.PostJsonAsync($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 86400 }, ct);
        var (okStatus, ok) = await client.PostJsonAsync($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 82800 }, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""
            {"detail":[{"type":"value_error","loc":["body","vm_lifetime_seconds"],
              "msg":"Value error, a VM lives at most 86400 s from its spawn; this one can be given at most 82800 more seconds","input":86400}]}
            """, body);
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal(82800.0, (double)ok!["expires_in_seconds"]!);
    }

    [Fact]
    public async Task Extend_NoVm_SetsTheNextVmsLifetime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.PostJsonAsync($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 30 }, ct);
        await client.ExecuteOkAsync(sessionId, "1", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False((bool)body!["vm_assigned"]!);
        Assert.Equal(30.0, (double)(await client.StatusOkAsync(sessionId, ct))["expires_in_seconds"]!);
    }

    [Theory]
    [InlineData("{}", """{"type":"missing","loc":["body","vm_lifetime_seconds"],"msg":"Field required","input":{}}""")]
    [InlineData("""{"vm_lifetime_seconds":19}""", """{"type":"greater_than_equal","loc":["body","vm_lifetime_seconds"],"msg":"Input should be greater than or equal to 20","input":19,"ctx":{"ge":20}}""")]
    [InlineData("""{"vm_lifetime_seconds":86401}""", """{"type":"less_than_equal","loc":["body","vm_lifetime_seconds"],"msg":"Input should be less than or equal to 86400","input":86401,"ctx":{"le":86400}}""")]
    public async Task Extend_InvalidBody_Returns422(string body, string error)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, json) = await client.PostRawAsync($"/v1/sessions/{sessionId}/extend", body, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$"""{"detail":[{{error}}]}""", json);
    }

    [Fact]
    public async Task Extend_OtherKeysSession_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var owner = app.Client(app.AdminKey);
        var sessionId = await owner.CreateSessionAsync(app.AdminKey, ct);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);

        var (status, _) = await other.PostJsonAsync($"/v1/sessions/{sessionId}/extend", new JsonObject { ["vm_lifetime_seconds"] = 30 }, ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}
