using Capsule.Agent.Protocol;
using Capsule.Vm.Agent;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Vm.Tests.Agent;

/// <summary>Handshake, requests with one reply, and a broken connection.</summary>
public sealed class AgentConnectionTests : AgentTestBase
{
    [Fact]
    public async Task ConnectAsync_StalePongAndOutputBeforeHandshake_AreIgnored()
    {
        var connect = AgentConnection.ConnectAsync(Agent.SocketPath, "vm-test", NullLogger.Instance, TimeProvider.System, Ct);
        using var peer = await Agent.AcceptAsync(Ct).Bounded();

        var firstPing = await peer.ReadKindAsync(MessageKind.Ping, Ct).Bounded();
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Pong, Nonce = "stale", Version = "stale" }, Ct);
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Output, Id = 1, Stream = OutputStream.Stdout }, "leftover"u8.ToArray(), Ct);
        var laterPing = await peer.ReadKindAsync(MessageKind.Ping, Ct).Bounded();
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Pong, Nonce = laterPing.Header.Nonce, Version = "1.2.3" }, Ct);
        await using var connection = await connect.Bounded();

        var exec = connection.ExecAsync(Python("pass"), null, Ct);
        var request = await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded();
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = request.Header.Id, ExitCode = 0 }, Ct);
        var result = await exec.Bounded();

        Assert.Equal("1.2.3", connection.AgentVersion);
        Assert.Equal(firstPing.Header.Nonce, laterPing.Header.Nonce);
        Assert.Equal(0, firstPing.Header.Id);
        Assert.Equal(1, request.Header.Id);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task ConnectionDrop_PendingAndLaterCalls_FailWithMachineGone()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        var exec = connection.ExecAsync(Python("while True: pass"), null, Ct);
        var stats = connection.GetStatsAsync(Ct);
        await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded();
        await peer.ReadKindAsync(MessageKind.Stats, Ct).Bounded();
        peer.Dispose();

        var execError = await Assert.ThrowsAsync<MachineException>(() => exec.Bounded());
        var statsError = await Assert.ThrowsAsync<MachineException>(() => stats.Bounded());
        var laterError = await Assert.ThrowsAsync<MachineException>(() => connection.SetEnvAsync(new Dictionary<string, string> { ["A"] = "1" }, Ct).Bounded());
        Assert.Equal(MachineErrorCode.MachineGone, execError.Code);
        Assert.Equal(MachineErrorCode.MachineGone, statsError.Code);
        Assert.Equal(MachineErrorCode.MachineGone, laterError.Code);
        Assert.Equal("the guest agent closed its connection", await connection.Closed.Bounded());
    }

    [Fact]
    public async Task SetEnvAsync_Env_IsSentAndAcknowledged()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        var setEnv = connection.SetEnvAsync(new Dictionary<string, string> { ["API_TOKEN"] = "abc", ["MODE"] = "test" }, Ct);
        var request = await peer.ReadKindAsync(MessageKind.SetEnv, Ct).Bounded();
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = request.Header.Id }, Ct);
        await setEnv.Bounded();

        Assert.Equal(new Dictionary<string, string> { ["API_TOKEN"] = "abc", ["MODE"] = "test" }, request.Header.Env);
    }

    [Fact]
    public async Task GetStatsAsync_StatsResult_ConvertsToHostUnits()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        var stats = connection.GetStatsAsync(Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Stats, Ct).Bounded()).Header.Id;
        await peer.SendAsync(new AgentMessage
        {
            Kind = MessageKind.StatsResult,
            Id = id,
            Stats = new GuestStats { MemTotalKb = 2_048_000, MemAvailableKb = 1_024_000, CpuUserMs = 1500, CpuSystemMs = 500, UptimeS = 12.5, Processes = 7 },
        }, Ct);
        var result = await stats.Bounded();

        Assert.Equal(2000, result.MemTotalMb);
        Assert.Equal(1000, result.MemUsedMb);
        Assert.Equal(TimeSpan.FromSeconds(2), result.CpuTime);
        Assert.Equal(TimeSpan.FromSeconds(12.5), result.Uptime);
    }
}
