namespace Capsule.Server.Tests.Sessions;

public sealed class SessionInfoTests
{
    private static readonly (string, JsonValueKind)[] InfoKeys =
    [
        ("session_id", JsonValueKind.String), ("status", JsonValueKind.String), ("vm_id", JsonValueKind.Null),
        ("vcpu_count", JsonValueKind.Number), ("memory_mb", JsonValueKind.Number), ("vm_lifetime_seconds", JsonValueKind.Number),
        ("metadata", JsonValueKind.Object), ("created_at", JsonValueKind.String), ("spawned_at", JsonValueKind.Null),
        ("expires_at", JsonValueKind.Null), ("ended_at", JsonValueKind.Null), ("end_reason", JsonValueKind.Null),
        ("end_detail", JsonValueKind.Null),
    ];

    [Fact]
    public async Task Info_BeforeFirstVm_StatusCreatedInExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject
        {
            ["vcpu_count"] = 4,
            ["memory_mb"] = 1024,
            ["vm_lifetime_seconds"] = 600,
            ["metadata"] = new JsonObject { ["team"] = "ml", ["tags"] = new JsonArray("a", "b") },
        });

        var (status, body) = await client.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, InfoKeys);
        JsonShape.AssertJson($$"""
            {"session_id":"{{sessionId}}","status":"created","vm_id":null,"vcpu_count":4,"memory_mb":1024,
             "vm_lifetime_seconds":600,"metadata":{"team":"ml","tags":["a","b"]},"created_at":"2025-01-10T12:34:56",
             "spawned_at":null,"expires_at":null,"ended_at":null,"end_reason":null,"end_detail":null}
            """, body);
    }

    [Fact]
    public async Task Info_ActiveThenKilled_ReportsVmTimesAndEndReason()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        app.Time.Advance(TimeSpan.FromSeconds(4));
        await client.ExecuteOkAsync(sessionId, "1", ct);
        var vmId = app.Machines.Last.MachineId;

        var (_, active) = await client.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);
        app.Time.Advance(TimeSpan.FromSeconds(10));
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var (_, killed) = await client.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);

        Assert.Equal("active", (string?)active!["status"]);
        Assert.Equal(vmId, (string?)active["vm_id"]);
        Assert.Equal("2025-01-10T12:35:00", (string?)active["spawned_at"]);
        Assert.Equal("2025-01-10T12:40:00", (string?)active["expires_at"]);
        Assert.Null(active["ended_at"]);
        Assert.Null(active["end_reason"]);
        Assert.Equal(JsonValueKind.Object, active["metadata"]!.GetValueKind());
        Assert.Equal("killed", (string?)killed!["status"]);
        Assert.Equal("killed", (string?)killed["end_reason"]);
        Assert.Equal("killed by POST /kill", (string?)killed["end_detail"]);
        Assert.Equal("2025-01-10T12:35:10", (string?)killed["ended_at"]);
        Assert.Null(killed["expires_at"]);
        Assert.Equal(vmId, (string?)killed["vm_id"]);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("6a1f7f1e-8d3c-4a53-9d0a-3c0f6f0b9a11")]
    public async Task Info_Unknown_Returns404(string sessionId)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", body);
    }
}
