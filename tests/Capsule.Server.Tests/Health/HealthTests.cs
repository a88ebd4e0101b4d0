namespace Capsule.Server.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_NoKey_ReturnsExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.GetJsonAsync("/health", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body,
            ("status", JsonValueKind.String), ("version", JsonValueKind.String), ("accelerator", JsonValueKind.String),
            ("accelerator_reason", JsonValueKind.String), ("sessions_active", JsonValueKind.Number),
            ("machines_running", JsonValueKind.Number));
        Assert.Equal("ok", (string?)body!["status"]);
        Assert.Equal("tcg", (string?)body["accelerator"]);
        Assert.Equal("no usable KVM (test host)", (string?)body["accelerator_reason"]);
        Assert.Equal(0, (int)body["sessions_active"]!);
        Assert.Equal(0, (int)body["machines_running"]!);
    }

    [Fact]
    public async Task Health_AfterSpawnAndKill_CountsFollowMachines()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var first = await client.CreateSessionAsync(app.AdminKey, ct);
        var second = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(first, "1", ct);
        await client.ExecuteOkAsync(second, "2", ct);

        var (_, busy) = await client.GetJsonAsync("/health", ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = first }, ct);
        var (_, after) = await client.GetJsonAsync("/health", ct);

        Assert.Equal(2, (int)busy!["sessions_active"]!);
        Assert.Equal(2, (int)busy["machines_running"]!);
        Assert.Equal(1, (int)after!["sessions_active"]!);
        Assert.Equal(1, (int)after["machines_running"]!);
    }
}
