using System.Buffers.Binary;
using System.Text;
using Capsule.Agent.Protocol;
using Capsule.Vm.Agent;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capsule.Vm.Tests.Agent;

/// <summary>
/// An agent that breaks the protocol on purpose: each case ends the connection with a reason that says what the agent
/// did, fails the pending call with MachineGone, and leaves the host's memory bounded however much the agent sends.
/// </summary>
public sealed class HostileAgentTests : AgentTestBase
{
    private const long HostileBytes = 200L * 1024 * 1024;

    /// <summary>More than the host could hold if it kept what it reads, less than the hostile bytes.</summary>
    private const long MemoryBound = 64L * 1024 * 1024;

    private static byte[] Prefix(int headerLength, int payloadLength)
    {
        var bytes = new byte[FrameCodec.PrefixBytes];
        "CAP1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), headerLength);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), payloadLength);
        return bytes;
    }

    /// <summary>Starts an exec, lets <paramref name="misbehave"/> answer it, returns the closed reason; the exec must fail with MachineGone.</summary>
    private async Task<string> ClosedReasonAfterAsync(Func<FakeAgent.Peer, long, Task> misbehave)
    {
        await using var pair = await ConnectAsync();
        var exec = pair.Connection.ExecAsync(Python("pass"), null, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await misbehave(pair.Peer, id);

        var reason = await pair.Connection.Closed.Bounded();
        var error = await Assert.ThrowsAsync<MachineException>(() => exec.Bounded());
        Assert.Equal(MachineErrorCode.MachineGone, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        return reason;
    }

    [Fact]
    public async Task OversizedHeader_EndsTheConnectionWithoutAllocatingIt()
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var reason = await ClosedReasonAfterAsync((peer, _) => peer.SendRawAsync(Prefix(int.MaxValue, 0), Ct));

        Assert.Equal("the guest agent broke the protocol: it sent a frame header length of 2147483647 bytes (1 to 65536 allowed)", reason);
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < MemoryBound);
    }

    [Fact]
    public async Task OversizedPayload_EndsTheConnection()
    {
        var reason = await ClosedReasonAfterAsync((peer, _) => peer.SendRawAsync(Prefix(20, FrameCodec.MaxPayloadBytes + 1), Ct));

        Assert.Contains("payload length of 1048577 bytes", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedHeader_EndsTheConnection()
    {
        var json = "{\"kind\": \"exit\", \"id\": "u8.ToArray();
        var reason = await ClosedReasonAfterAsync((peer, _) => peer.SendRawAsync(Prefix(json.Length, 0).Concat(json).ToArray(), Ct));

        Assert.StartsWith("the guest agent broke the protocol: it sent a frame header that is not a valid message", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownKind_EndsTheConnection()
    {
        var reason = await ClosedReasonAfterAsync((peer, id) =>
            peer.SendAsync(new AgentMessage { Kind = "exec\n" + new string('x', 5000), Id = id }, Ct));

        Assert.StartsWith("the guest agent broke the protocol: it sent a frame of kind \"exec?xxx", reason, StringComparison.Ordinal);
        Assert.True(reason.Length < 200, reason);
    }

    [Fact]
    public async Task PayloadOnAnExit_EndsTheConnection()
    {
        var reason = await ClosedReasonAfterAsync((peer, id) =>
            peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 0 }, new byte[10], Ct));

        Assert.Contains("a frame of kind exit with a payload of 10 bytes", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndlessGarbageWithoutMagic_EndsTheConnectionAfterTheBudget()
    {
        var sent = 0L;
        var reason = await ClosedReasonAfterAsync(async (peer, _) =>
        {
            var garbage = Encoding.ASCII.GetBytes(new string('z', 64 * 1024));
            try
            {
                while (sent < HostileBytes)
                {
                    await peer.SendRawAsync(garbage, Ct);
                    sent += garbage.Length;
                }
            }
            catch (IOException)
            {
                // The host hung up on us, as it should.
            }
        });

        Assert.Equal("the guest agent broke the protocol: it sent more than 65536 bytes that are not part of any frame", reason);
        Assert.True(sent < HostileBytes, $"the host kept reading {sent} bytes of garbage");
    }

    [Fact]
    public async Task EndlessOutput_HostKeepsOnlyTheCapAndEndsTheConnectionWhenTheExecNeverStops()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        connection.ExitGrace = TimeSpan.FromMilliseconds(500);
        connection.CancelGrace = TimeSpan.FromMilliseconds(500);
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        // The exec's own timeout only starts to matter once the flood is in: the peer gates it.
        var request = Python("while True: print('x' * 1000000)", outputLimitBytes: 1024 * 1024) with { Timeout = TimeSpan.FromMinutes(10) };
        var exec = connection.ExecAsync(request, null, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        var chunk = new byte[FrameCodec.MaxPayloadBytes];
        chunk.AsSpan().Fill((byte)'x');
        for (long sent = 0; sent < HostileBytes; sent += chunk.Length)
            await SendOutputAsync(peer, id, OutputStream.Stdout, chunk);
        // Round-trip a stats call, so everything sent before it has been read by the host.
        var stats = connection.GetStatsAsync(Ct);
        var statsId = (await peer.ReadKindAsync(MessageKind.Stats, Ct).Bounded()).Header.Id;
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.StatsResult, Id = statsId, Stats = new GuestStats() }, Ct);
        await stats.Bounded();
        var heapAfterFlood = GC.GetTotalMemory(forceFullCollection: true);

        // Now the caller gives up on an exec that never ends; the agent ignores the cancel too.
        var cancelled = connection.ExecAsync(request with { Timeout = TimeSpan.FromMilliseconds(100) }, null, Ct);
        var cancelledId = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await SendOutputAsync(peer, cancelledId, OutputStream.Stdout, "partial"u8.ToArray());
        var result = await cancelled.Bounded();
        var reason = await connection.Closed.Bounded();

        Assert.True(heapAfterFlood - heapBefore < MemoryBound, $"the heap grew by {heapAfterFlood - heapBefore} bytes");
        Assert.True(result.TimedOut);
        Assert.Equal("partial", result.Stdout);
        Assert.Equal($"the guest agent did not stop exec {cancelledId} within 0.5 s of a cancel", reason);
        var first = await Assert.ThrowsAsync<MachineException>(() => exec.Bounded());
        Assert.Equal(MachineErrorCode.MachineGone, first.Code);
    }

    [Fact]
    public async Task SilentAgent_FailsTheHealthProbe()
    {
        var time = new FakeTimeProvider();
        await using var pair = await ConnectAsync(time);
        var settings = new HealthProbeSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        var probe = AgentHealthProbe.RunAsync(pair.Connection, settings, NullLogger.Instance, "vm-test", time, Ct);
        var exec = pair.Connection.ExecAsync(Python("pass"), null, Ct);
        await pair.Peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded();
        var ping = pair.Peer.ReadKindAsync(MessageKind.Ping, Ct);

        // After the interval of silence the agent is pinged (the probe armed its timer before RunAsync returned); it never answers.
        time.Advance(settings.Interval);
        await ping.Bounded();
        // Not yet: less than the timeout has passed since the ping.
        await time.AdvanceAsync(TimeSpan.FromMilliseconds(100), 9);
        Assert.False(pair.Connection.Closed.IsCompleted);
        await time.AdvanceUntilAsync(TimeSpan.FromMilliseconds(100), () => pair.Connection.Closed.IsCompleted);
        var reason = await pair.Connection.Closed.Bounded();
        await probe.Bounded();

        Assert.Equal("the guest agent did not answer a health probe within 1 s", reason);
        var error = await Assert.ThrowsAsync<MachineException>(() => exec.Bounded());
        Assert.Equal(MachineErrorCode.MachineGone, error.Code);
    }

    [Fact]
    public async Task BusyAgentThatAnswersPings_PassesTheHealthProbe()
    {
        var time = new FakeTimeProvider();
        await using var pair = await ConnectAsync(time);
        var (connection, peer) = (pair.Connection, pair.Peer);
        var settings = new HealthProbeSettings(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var probe = AgentHealthProbe.RunAsync(connection, settings, NullLogger.Instance, "vm-test", time, stop.Token);
        var exec = connection.ExecAsync(Python("import time; time.sleep(1)"), null, Ct);
        var execId = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;

        // The exec runs silently; the agent answers every ping it reads. Several probes go by.
        for (var pings = 0; pings < 5; pings++)
        {
            var read = peer.ReadKindAsync(MessageKind.Ping, Ct);
            await time.AdvanceUntilAsync(settings.Interval, () => read.IsCompleted);
            var ping = await read.Bounded();
            await peer.SendAsync(new AgentMessage { Kind = MessageKind.Pong, Nonce = ping.Header.Nonce, Version = "test" }, Ct);
        }
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = execId, ExitCode = 0 }, Ct);
        var result = await exec.Bounded();
        await stop.CancelAsync();
        await probe.Bounded();

        Assert.Equal(0, result.ExitCode);
        Assert.False(connection.Closed.IsCompleted);
    }

    [Fact]
    public async Task RepliesForUnknownIds_AreDroppedAndCounted()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        for (var i = 0; i < 100; i++)
            await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = 1000 + i, ExitCode = 0 }, Ct);
        var exec = connection.ExecAsync(Python("pass"), null, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 0 }, Ct);
        var result = await exec.Bounded();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(100, connection.IgnoredFrames);
        Assert.False(connection.Closed.IsCompleted);
    }

    [Fact]
    public async Task HugeErrorMessage_IsClippedInTheException()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        var read = connection.ReadFileAsync("/etc/x", Stream.Null, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.ReadFile, Ct).Bounded()).Header.Id;
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = AgentErrorCode.Io, Message = new string('m', 60_000) }, Ct);
        var error = await Assert.ThrowsAsync<MachineException>(() => read.Bounded());

        Assert.True(error.Message.Length <= GuestText.MaxMessageChars + 100, $"{error.Message.Length} chars");
        Assert.EndsWith("...", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_AgentThatNeverAnswers_IsBoundedByTheCallersToken()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var connect = AgentConnection.ConnectAsync(Agent.SocketPath, "vm-test", NullLogger.Instance, TimeProvider.System, deadline.Token);
        using var peer = await Agent.AcceptAsync(Ct).Bounded();
        await peer.ReadKindAsync(MessageKind.Ping, Ct).Bounded();
        await deadline.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.Bounded());
    }

    [Fact]
    public async Task GarbageDuringTheHandshake_FailsTheConnect()
    {
        var connect = AgentConnection.ConnectAsync(Agent.SocketPath, "vm-test", NullLogger.Instance, TimeProvider.System, Ct);
        using var peer = await Agent.AcceptAsync(Ct).Bounded();
        await peer.ReadKindAsync(MessageKind.Ping, Ct).Bounded();
        await peer.SendRawAsync(Prefix(-5, 0), Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => connect.Bounded());

        Assert.Contains("broke the protocol during the handshake", error.Message, StringComparison.Ordinal);
    }
}
