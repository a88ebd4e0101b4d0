using Capsule.Testing.Guests;
using Capsule.Vm;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capsule.Server.Tests.Hostile;

/// <summary>
/// The real server with machines whose only fake part is the guest side of the agent socket
/// (<see cref="AgentSocketMachineHost"/>): a hostile guest ends its own session as crashed with a clear reason, while
/// the server stays up, another session keeps working and the server's memory stays bounded.
/// </summary>
public sealed class HostileGuestTests
{
    /// <summary>Well above what a session may keep (the 10 MiB output cap), well below what the flood sends.</summary>
    private const long MemoryBound = 100L * 1024 * 1024;

    [Theory]
    [InlineData(nameof(GuestBehaviour.FloodThenGarbage), "the guest agent broke the protocol: it sent more than 65536 bytes that are not part of any frame")]
    [InlineData(nameof(GuestBehaviour.Silent), "the guest agent did not answer a health probe within 2 s")]
    [InlineData(nameof(GuestBehaviour.OversizedFrame), "the guest agent broke the protocol: it sent a frame header length of 2147483647 bytes (1 to 65536 allowed)")]
    [InlineData(nameof(GuestBehaviour.MalformedFrame), "the guest agent broke the protocol: it sent a frame header that is not a valid message")]
    [InlineData(nameof(GuestBehaviour.WrongKindReply), "the guest agent broke the protocol: it sent a frame of kind stats_result in answer to exec")]
    public async Task HostileGuest_EndsOnlyItsSessionAsCrashed(string guest, string expectedDetail)
    {
        var behaviour = Enum.Parse<GuestBehaviour>(guest);
        var ct = TestContext.Current.CancellationToken;
        await using var machines = new AgentSocketMachineHost();
        await using var app = new CapsuleApp();
        var (client, adminKey) = ClientFor(app, machines);
        using var _ = client;

        var good = await client.CreateSessionAsync(adminKey, ct);
        var before = await client.ExecuteOkAsync(good, "print('before')", ct);
        machines.NextGuest = behaviour;
        var hostile = await client.CreateSessionAsync(adminKey, ct);
        await using var memory = PeakMemory.Start();
        var execute = client.PostJsonAsync("/execute", new JsonObject { ["command"] = "anything", ["session_id"] = hostile }, ct);
        await Eventually.HoldsAsync(() => Task.FromResult(machines.Started.Count == 2), "the hostile machine started", ct);
        var machine = machines.Started[1];
        if (behaviour == GuestBehaviour.FloodThenGarbage)
        {
            await machine.Guest.Flooded.Task.WaitAsync(TimeSpan.FromMinutes(5), ct);
            machine.Guest.ReleaseGarbage.TrySetResult();
        }
        var (status, body) = await execute;
        var exit = await machine.Exited.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await Eventually.HoldsAsync(async () =>
            (string?)(await client.StatusOkAsync(hostile, ct))["vm_status"] == "crashed", "the hostile session's status says crashed", ct);
        await memory.StopAsync();
        var after = await client.ExecuteOkAsync(good, "print('after')", ct);
        var (health, _) = await client.GetJsonAsync("/health", ct);
        var (_, info) = await client.GetJsonAsync($"/v1/sessions/session/{hostile}", ct);

        Assert.Equal("print('before')\n", (string?)before["stdout"]);
        // 409 when the session saw the crash while the execution ran, 503 when the call failed first (the VM is gone).
        Assert.Contains(status, new[] { HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable });
        Assert.NotNull(body?["detail"]);
        Assert.Equal(new MachineExit(MachineExitReason.Crashed, expectedDetail), exit with { Detail = exit.Detail[..Math.Min(exit.Detail.Length, expectedDetail.Length)] });
        Assert.StartsWith(expectedDetail, (string?)info!["end_detail"], StringComparison.Ordinal);
        Assert.Equal("print('after')\n", (string?)after["stdout"]);
        Assert.Equal("active", (string?)(await client.StatusOkAsync(good, ct))["vm_status"]);
        Assert.Equal(HttpStatusCode.OK, health);
        if (behaviour == GuestBehaviour.FloodThenGarbage)
            Assert.True(machine.Guest.BytesSent >= ScriptedGuest.FloodBytes, $"the guest sent only {machine.Guest.BytesSent} bytes");
        Assert.True(memory.Growth < MemoryBound, $"the server's heap grew by {memory.Growth} bytes");
    }

    [Fact]
    public async Task GuestThatCannotGiveStats_UsageAnswers200WithWhatItHas()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var machines = new AgentSocketMachineHost { NextGuest = GuestBehaviour.RefusesStatsAndEnv };
        await using var app = new CapsuleApp();
        var (client, adminKey) = ClientFor(app, machines);
        using var _ = client;
        var session = await client.CreateSessionAsync(adminKey, ct);
        await client.ExecuteOkAsync(session, "print(1)", ct);

        var (status, usage) = await client.GetJsonAsync($"/v1/sessions/usage/{session}", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(usage!["memory_used_mb"]);
        Assert.Equal(1, (int?)usage["executions_count"]);
        Assert.Equal("active", (string?)usage["vm_status"]);
    }

    [Fact]
    public async Task GuestThatRefusesTheEnv_CreateIs503WithTheGuestsReasonAndTheServerStaysUp()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var machines = new AgentSocketMachineHost { NextGuest = GuestBehaviour.RefusesStatsAndEnv };
        await using var app = new CapsuleApp();
        var (client, adminKey) = ClientFor(app, machines);
        using var _ = client;

        var (status, body) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = adminKey, ["env"] = new JsonObject { ["A"] = "1" } }, ct);
        var (health, _) = await client.GetJsonAsync("/health", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("The guest agent could not do set_env: io: cannot read /proc", (string?)body!["detail"]);
        Assert.Equal(HttpStatusCode.OK, health);
    }

    private static (HttpClient Client, string AdminKey) ClientFor(CapsuleApp app, AgentSocketMachineHost machines)
    {
        var server = app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IMachineHost>();
            services.AddSingleton<IMachineHost>(machines);
        }));
        var client = server.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var adminKey = File.ReadAllText(app.AdminKeyFile).Trim();
        client.DefaultRequestHeaders.Add("X-API-Key", adminKey);
        return (client, adminKey);
    }
}
