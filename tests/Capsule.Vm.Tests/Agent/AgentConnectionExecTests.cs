using System.Text;
using Capsule.Agent.Protocol;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Agent;

/// <summary>exec: output chunks, decoding, caps, cancel, a lost exit.</summary>
public sealed class AgentConnectionExecTests : AgentTestBase
{
    [Fact]
    public async Task ExecAsync_OutputChunksThenExit_ReturnsResultAndStreamsChunksInOrder()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        var chunks = new List<OutputChunk>();

        var exec = connection.ExecAsync(Python("print('hello world')"), chunk => { chunks.Add(chunk); return ValueTask.CompletedTask; }, Ct);
        var request = await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded();
        var id = request.Header.Id;
        await SendOutputAsync(peer, id, OutputStream.Stdout, "hello "u8.ToArray());
        await SendOutputAsync(peer, id, OutputStream.Stderr, "warning\n"u8.ToArray());
        await SendOutputAsync(peer, id, OutputStream.Stdout, "world\n"u8.ToArray());
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 3, TimedOut = false, WallMs = 1500, CpuMs = 250 }, Ct);
        var result = await exec.Bounded();

        Assert.Equal(ExecLanguage.Python, request.Header.Language);
        Assert.Equal("print('hello world')", request.Header.Code);
        Assert.Equal(30_000, request.Header.TimeoutMs);
        Assert.Equal("hello world\n", result.Stdout);
        Assert.Equal("warning\n", result.Stderr);
        Assert.Equal(3, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.False(result.OutputTruncated);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), result.WallTime);
        Assert.Equal(TimeSpan.FromMilliseconds(250), result.CpuTime);
        Assert.Equal(
            [new(OutputStreamKind.Stdout, "hello "), new(OutputStreamKind.Stderr, "warning\n"), new(OutputStreamKind.Stdout, "world\n")],
            chunks);
    }

    [Fact]
    public async Task ExecAsync_MultibyteCharactersSplitAcrossChunks_DecodeWhole()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        const string text = "héllo € 😀 done";
        var streamed = new StringBuilder();

        var exec = connection.ExecAsync(Python("print(...)"), chunk => { streamed.Append(chunk.Text); return ValueTask.CompletedTask; }, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        foreach (var oneByte in Encoding.UTF8.GetBytes(text))
            await SendOutputAsync(peer, id, OutputStream.Stdout, [oneByte]);
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 0 }, Ct);
        var result = await exec.Bounded();

        Assert.Equal(text, result.Stdout);
        Assert.Equal(text, streamed.ToString());
    }

    [Fact]
    public async Task ExecAsync_OutputBeyondLimit_IsDroppedAndFlagged()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        var exec = connection.ExecAsync(Python("print('x' * 16)", outputLimitBytes: 10), null, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await SendOutputAsync(peer, id, OutputStream.Stdout, "01234567"u8.ToArray());
        await SendOutputAsync(peer, id, OutputStream.Stdout, "89ABCDEF"u8.ToArray());
        await SendOutputAsync(peer, id, OutputStream.Stderr, "short"u8.ToArray());
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 0 }, Ct);
        var result = await exec.Bounded();

        Assert.Equal("0123456789", result.Stdout);
        Assert.Equal("short", result.Stderr);
        Assert.True(result.OutputTruncated);
    }

    [Fact]
    public async Task ExecAsync_AgentNoteAfterAFullStderr_IsKeptWholeAndStderrStillCapped()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        var note = "\n[capsule] The guest ran out of memory; the out-of-memory killer killed a process of this execution.\n";

        var exec = connection.ExecAsync(Python("...", outputLimitBytes: 10), null, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        // The agent cut stderr at the limit itself, then adds its note.
        await SendOutputAsync(peer, id, OutputStream.Stderr, "0123456789"u8.ToArray());
        await SendOutputAsync(peer, id, OutputStream.Stderr, System.Text.Encoding.UTF8.GetBytes(note));
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 137, Truncated = true, OomKilled = true }, Ct);
        var kept = await exec.Bounded();
        // An agent that goes on past the room is still cut.
        var flood = connection.ExecAsync(Python("...", outputLimitBytes: 10), null, Ct);
        var floodId = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await SendOutputAsync(peer, floodId, OutputStream.Stderr, new byte[10 + Capsule.Vm.Agent.ExecCall.AgentNoteRoomBytes + 100]);
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = floodId, ExitCode = 0 }, Ct);
        var cut = await flood.Bounded();

        Assert.Equal("0123456789" + note, kept.Stderr);
        Assert.True(kept.OutputTruncated);
        Assert.True(kept.OomKilled);
        Assert.Equal(10 + Capsule.Vm.Agent.ExecCall.AgentNoteRoomBytes, cut.Stderr.Length);
        Assert.True(cut.OutputTruncated);
    }

    [Fact]
    public async Task ExecAsync_CallerCancels_SendsCancelForTheExecAndThrows()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var exec = connection.ExecAsync(Python("import time; time.sleep(100)"), null, cts.Token);
        var execId = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await cts.CancelAsync();
        var cancel = await peer.ReadKindAsync(MessageKind.Cancel, Ct).Bounded();
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = execId, ExitCode = 130, TimedOut = false }, Ct);
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = cancel.Header.Id }, Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exec.Bounded());
        Assert.Equal(execId, cancel.Header.TargetId);
        Assert.NotEqual(execId, cancel.Header.Id);
    }

    [Fact]
    public async Task ExecAsync_ExitNeverComes_CancelsAndReturnsPartialOutputAsTimedOut()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        connection.ExitGrace = TimeSpan.FromMilliseconds(200);
        connection.CancelGrace = TimeSpan.FromMilliseconds(200);

        var request = Python("print('partial'); lose_the_exit()") with { Timeout = TimeSpan.FromMilliseconds(100) };
        var exec = connection.ExecAsync(request, null, Ct);
        var execId = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await SendOutputAsync(peer, execId, OutputStream.Stdout, "partial\n"u8.ToArray());
        var cancel = await peer.ReadKindAsync(MessageKind.Cancel, Ct).Bounded();
        var result = await exec.Bounded();

        Assert.Equal(execId, cancel.Header.TargetId);
        Assert.True(result.TimedOut);
        Assert.Equal(124, result.ExitCode);
        Assert.Equal("partial\n", result.Stdout);
        Assert.Contains("did not report the end", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecAsync_ErrorReply_IsAGuestError()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);

        var exec = connection.ExecAsync(Python("1"), null, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = AgentErrorCode.BadRequest, Message = "no code" }, Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => exec.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
        Assert.Contains("no code", error.Message, StringComparison.Ordinal);
    }
}
