using System.Text;
using Capsule.Agent.Protocol;
using Capsule.Vm.Agent;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Agent;

/// <summary>The host side of the pty frames (docs/agent-protocol.md, "pty") against a scripted agent.</summary>
public sealed class AgentConnectionPtyTests : AgentTestBase
{
    private static readonly PtyRequest Request = new() { Cols = 80, Rows = 24 };

    private static async Task<(IMachinePty Pty, AgentMessage Open)> OpenAsync(Pair pair)
    {
        var opening = pair.Connection.OpenPtyAsync(Request, Ct);
        var open = (await pair.Peer.ReadKindAsync(MessageKind.PtyOpen, Ct).Bounded()).Header;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = open.Id }, Ct);
        return (await opening.Bounded(), open);
    }

    [Fact]
    public async Task Open_SendsTheSizeAndTheWindow_ThenBytesFlowBothWays()
    {
        await using var pair = await ConnectAsync();
        var (pty, open) = await OpenAsync(pair);

        Assert.Equal(80, open.Cols);
        Assert.Equal(24, open.Rows);
        Assert.Equal(PtyCall.WindowBytes, open.CreditBytes);
        await pty.WriteAsync("ls\r"u8.ToArray(), Ct).Bounded();
        var input = await pair.Peer.ReadKindAsync(MessageKind.PtyInput, Ct).Bounded();
        Assert.Equal(open.Id, input.Header.Id);
        Assert.Equal("ls\r", Encoding.UTF8.GetString(input.Payload.Span));

        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.PtyOutput, Id = open.Id }, "a.txt\r\n"u8.ToArray(), Ct);
        var buffer = new byte[100];
        var n = await pty.ReadAsync(buffer, Ct).AsTask().Bounded();
        Assert.Equal("a.txt\r\n", Encoding.UTF8.GetString(buffer, 0, n));

        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.PtyExit, Id = open.Id, ExitCode = 3 }, Ct);
        Assert.Equal(3, await pty.Exited.Bounded());
        Assert.Equal(0, await pty.ReadAsync(buffer, Ct).AsTask().Bounded());
    }

    [Fact]
    public async Task Read_GivesTheCreditBack()
    {
        await using var pair = await ConnectAsync();
        var (pty, open) = await OpenAsync(pair);

        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.PtyOutput, Id = open.Id }, new byte[1000], Ct);
        var buffer = new byte[4096];
        Assert.Equal(1000, await pty.ReadAsync(buffer, Ct).AsTask().Bounded());
        var reading = pty.ReadAsync(buffer, Ct).AsTask(); // nothing queued: the reader grants what it took

        var credit = await pair.Peer.ReadKindAsync(MessageKind.PtyCredit, Ct).Bounded();
        Assert.Equal(1000, credit.Header.CreditBytes);
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.PtyExit, Id = open.Id, ExitCode = 0 }, Ct);
        Assert.Equal(0, await reading.Bounded());
    }

    [Fact]
    public async Task OutputBeyondTheWindow_EndsTheConnection()
    {
        await using var pair = await ConnectAsync();
        var (pty, open) = await OpenAsync(pair);

        // Nobody reads: the agent may send the window and no more.
        var chunk = new byte[64 * 1024];
        for (var sent = 0; sent <= PtyCall.WindowBytes; sent += chunk.Length)
            await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.PtyOutput, Id = open.Id }, chunk, Ct);

        var reason = await pair.Connection.Closed.Bounded();
        Assert.Contains("beyond the window", reason, StringComparison.Ordinal);
        var gone = await Assert.ThrowsAsync<MachineException>(() => pty.Exited.Bounded());
        Assert.Equal(MachineErrorCode.MachineGone, gone.Code);
    }

    [Fact]
    public async Task Dispose_SendsCloseAndWaitsForTheExit()
    {
        await using var pair = await ConnectAsync();
        var (pty, open) = await OpenAsync(pair);

        var disposing = pty.DisposeAsync().AsTask();
        var close = await pair.Peer.ReadKindAsync(MessageKind.PtyClose, Ct).Bounded();
        Assert.Equal(open.Id, close.Header.Id);
        Assert.False(disposing.IsCompleted);
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.PtyExit, Id = open.Id, ExitCode = 137 }, Ct);

        await disposing.Bounded();
        Assert.Equal(137, await pty.Exited.Bounded());
    }

    [Fact]
    public async Task Open_Refused_IsAGuestError()
    {
        await using var pair = await ConnectAsync();
        var opening = pair.Connection.OpenPtyAsync(Request with { Shell = "/bin/nope" }, Ct);
        var open = (await pair.Peer.ReadKindAsync(MessageKind.PtyOpen, Ct).Bounded()).Header;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = open.Id, ErrorCode = AgentErrorCode.BadRequest, Message = "no" }, Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => opening.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
    }
}
