using Capsule.Server.Api.Errors;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Sessions;

/// <summary>Sessions without a VM leave memory (the store keeps them) and come back on use; one actor per session.</summary>
public sealed class RetirementTests
{
    [Fact]
    public async Task RetireIdle_DropsSessionsWithoutVm_KeepsRunningOnes_RetiredOnesStillWork()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var registry = app.Services.GetRequiredService<SessionRegistry>();
        var idle = await client.CreateSessionAsync(app.AdminKey, ct);
        var killed = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(killed, "1", ct);
        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = killed }, ct);
        var running = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["env"] = new JsonObject { ["A"] = "1" } });

        var retired = await registry.RetireIdleAsync(ct);
        var loaded = registry.LoadedActors;
        var info = await client.GetJsonAsync($"/v1/sessions/session/{killed}", ct);
        await client.ExecuteOkAsync(idle, "print(1)", ct);

        Assert.Equal(2, retired);
        Assert.Equal(1, loaded);
        Assert.Equal("killed", (string?)info.Body!["status"]);
        Assert.Equal("active", (string?)(await client.StatusOkAsync(idle, ct))["vm_status"]);
        Assert.Equal("active", (string?)(await client.StatusOkAsync(running, ct))["vm_status"]);
    }

    [Fact]
    public async Task RetiredActor_HeldByARequest_PutsItselfBackBeforeSpawning()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var registry = app.Services.GetRequiredService<SessionRegistry>();
        var caller = new Caller(await AdminKeyIdAsync(app, ct), IsAdmin: true);
        var sessionId = Guid.Parse(await client.CreateSessionAsync(app.AdminKey, ct));
        var held = (await registry.FindAsync(sessionId, caller, ct))!;

        await registry.RetireIdleAsync(ct);
        await held.EnsureMachineAsync(ct);

        Assert.Same(held, await registry.FindAsync(sessionId, caller, ct));
        Assert.Single(app.Machines.Started);
    }

    [Fact]
    public async Task RetiredActor_ReplacedMeanwhile_RefusesToSpawnASecondVm()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var registry = app.Services.GetRequiredService<SessionRegistry>();
        var caller = new Caller(await AdminKeyIdAsync(app, ct), IsAdmin: true);
        var sessionId = Guid.Parse(await client.CreateSessionAsync(app.AdminKey, ct));
        var stale = (await registry.FindAsync(sessionId, caller, ct))!;

        await registry.RetireIdleAsync(ct);
        var fresh = (await registry.FindAsync(sessionId, caller, ct))!;
        await fresh.EnsureMachineAsync(ct);
        var refusal = await Assert.ThrowsAsync<CapsuleException>(() => stale.EnsureMachineAsync(ct));

        Assert.NotSame(stale, fresh);
        Assert.Equal(ErrorCode.Conflict, refusal.Code);
        Assert.Single(app.Machines.Started);
    }

    private static async Task<string> AdminKeyIdAsync(CapsuleApp app, CancellationToken ct)
    {
        using var client = app.Client(app.AdminKey);
        var (_, keys) = await client.GetJsonAsync("/v1/api-keys/", ct);
        return (string)keys!.AsArray().Single(k => (bool)k!["is_admin"]!)!["id"]!;
    }
}
