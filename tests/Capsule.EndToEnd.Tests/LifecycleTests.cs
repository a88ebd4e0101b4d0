namespace Capsule.EndToEnd.Tests;

/// <summary>Kill and expiry destroy the real QEMU process; status reports it.</summary>
[Collection(ServerCollection.Name)]
public sealed class LifecycleTests(ServerFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill_ActiveSession_LeavesNoQemuProcess()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();
        var sessionId = await Api.CreateSessionAsync(client, server.AdminKey, 600, null, Token);
        await Api.ExecuteAsync(client, sessionId, "print(1)", "python", Token);
        var (_, status) = await Api.GetAsync(client, $"/v1/sessions/status/{sessionId}", Token);
        var vmId = status!["vm_id"]!.GetValue<string>();
        Assert.NotEmpty(QemuProcesses.Matching(vmId));

        var (killStatus, _) = await Api.PostAsync(client, "/kill", new { session_id = sessionId }, Token);
        var survivors = await QemuProcesses.WaitGoneAsync(vmId, TimeSpan.FromSeconds(30), Token);
        var (_, after) = await Api.GetAsync(client, $"/v1/sessions/status/{sessionId}", Token);

        Assert.Equal(HttpStatusCode.OK, killStatus);
        Assert.Empty(survivors);
        Assert.Equal("killed", after!["vm_status"]!.GetValue<string>());
        Assert.False(after["vm_alive"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Lifetime_Elapsed_DestroysVmAndNextExecuteSpawnsFreshVm()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();
        var sessionId = await Api.CreateSessionAsync(client, server.AdminKey, 20, null, Token);
        await Api.ExecuteAsync(client, sessionId, "marker = 1", "python", Token);
        var (_, active) = await Api.GetAsync(client, $"/v1/sessions/status/{sessionId}", Token);
        var vmId = active!["vm_id"]!.GetValue<string>();
        Assert.Equal("active", active["vm_status"]!.GetValue<string>());

        JsonNode? expired = null;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            (_, expired) = await Api.GetAsync(client, $"/v1/sessions/status/{sessionId}", Token);
            if (expired!["vm_status"]?.GetValue<string>() == "expired")
                break;
            await Task.Delay(500, Token);
        }
        var survivors = await QemuProcesses.WaitGoneAsync(vmId, TimeSpan.FromSeconds(10), Token);
        var fresh = await Api.ExecuteAsync(client, sessionId, "print('marker' in globals())", "python", Token);
        var (_, reborn) = await Api.GetAsync(client, $"/v1/sessions/status/{sessionId}", Token);

        Assert.Equal("expired", expired!["vm_status"]!.GetValue<string>());
        Assert.Equal(0, expired["expires_in_seconds"]!.GetValue<double>());
        Assert.Empty(survivors);
        Assert.Equal("False", fresh["stdout"]!.GetValue<string>().Trim());
        Assert.Equal("active", reborn!["vm_status"]!.GetValue<string>());
        Assert.NotEqual(vmId, reborn["vm_id"]!.GetValue<string>());
        await Api.PostAsync(client, "/kill", new { session_id = sessionId }, Token);
    }
}
