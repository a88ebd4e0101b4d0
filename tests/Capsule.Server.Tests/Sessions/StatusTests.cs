namespace Capsule.Server.Tests.Sessions;

public sealed class StatusTests
{
    private static readonly (string, JsonValueKind)[] NoVmShape =
    [
        ("session_id", JsonValueKind.String), ("exists", JsonValueKind.True), ("vm_assigned", JsonValueKind.False),
        ("vm_status", JsonValueKind.Null), ("vm_id", JsonValueKind.Null), ("vm_alive", JsonValueKind.False),
        ("uptime_seconds", JsonValueKind.Null), ("expires_in_seconds", JsonValueKind.Null), ("created_at", JsonValueKind.String),
    ];

    [Fact]
    public async Task Status_NoVmYet_ReturnsExactShapeWithNulls()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var status = await client.StatusOkAsync(sessionId, ct);

        JsonShape.AssertExactly(status, NoVmShape);
        Assert.Equal(sessionId, (string?)status["session_id"]);
        Assert.Equal("2025-01-10T12:34:56", (string?)status["created_at"]);
    }

    [Fact]
    public async Task Status_VmAlive_ReportsUptimeAndTimeLeftFromTheClock()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vm_lifetime_seconds"] = 120 });
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        app.Time.Advance(TimeSpan.FromSeconds(30.5));
        var status = await client.StatusOkAsync(sessionId, ct);

        JsonShape.AssertExactly(status,
            ("session_id", JsonValueKind.String), ("exists", JsonValueKind.True), ("vm_assigned", JsonValueKind.True),
            ("vm_status", JsonValueKind.String), ("vm_id", JsonValueKind.String), ("vm_alive", JsonValueKind.True),
            ("uptime_seconds", JsonValueKind.Number), ("expires_in_seconds", JsonValueKind.Number), ("created_at", JsonValueKind.String));
        Assert.Equal("active", (string?)status["vm_status"]);
        Assert.Equal(app.Machines.Last.MachineId, (string?)status["vm_id"]);
        Assert.Equal(30.5, (double)status["uptime_seconds"]!);
        Assert.Equal(89.5, (double)status["expires_in_seconds"]!);
        JsonShape.AssertFloat(status, "uptime_seconds");
        JsonShape.AssertFloat(status, "expires_in_seconds");
    }

    [Fact]
    public async Task Status_UnknownOrMalformedId_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (unknown, body) = await client.GetJsonAsync($"/v1/sessions/status/{Guid.NewGuid()}", ct);
        var (malformed, _) = await client.GetJsonAsync("/v1/sessions/status/xyz", ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.NotFound, malformed);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", body);
    }
}
