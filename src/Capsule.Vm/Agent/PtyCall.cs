using System.Threading.Channels;
using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>
/// One guest PTY on the host (docs/agent-protocol.md, "pty"): the pending call that takes its frames, and the
/// <see cref="IMachinePty"/> its owner uses.
/// 1. <c>pty_open</c> gives the agent a window of <see cref="WindowBytes"/>; the agent answers <c>ok</c> or <c>error</c>.
/// 2. <c>pty_output</c> chunks queue here. The agent may have at most the window outstanding; more is a protocol
///    violation that ends the connection, so the queue never holds more than the window whatever the guest does.
/// 3. As <see cref="ReadAsync"/> takes bytes they are granted back (<c>pty_credit</c>), in batches of a quarter window
///    or whenever the queue runs empty.
/// 4. <c>pty_exit</c> ends the output and completes <see cref="Exited"/>; disposing first sends <c>pty_close</c> and
///    waits, bounded, for that exit.
/// </summary>
internal sealed class PtyCall(AgentConnection connection) : PendingCall, IMachinePty
{
    public const int WindowBytes = 256 * 1024;
    private const int MaxInputFrameBytes = 64 * 1024;

    private readonly TaskCompletionSource<AgentMessage> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<ReadOnlyMemory<byte>> _output = Channel.CreateUnbounded<ReadOnlyMemory<byte>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _reading = new(1, 1);
    private long _outstanding; // bytes the agent may still send without new credit being due: sent but not yet granted back
    private ReadOnlyMemory<byte> _current;
    private int _ungranted;
    private int _disposed;

    public long Id { get; set; }

    public Task<AgentMessage> Opened => _opened.Task;

    public Task<int> Exited => _exited.Task;

    public override string RequestKind => MessageKind.PtyOpen;

    public override bool Accepts(string kind) =>
        kind is MessageKind.Ok or MessageKind.Error or MessageKind.PtyOutput or MessageKind.PtyExit;

    public override ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken)
    {
        switch (frame.Header.Kind)
        {
            case MessageKind.Ok:
                _opened.TrySetResult(frame.Header);
                return ValueTask.FromResult(false);
            case MessageKind.Error:
                _opened.TrySetResult(frame.Header);
                return ValueTask.FromResult(true);
            case MessageKind.PtyOutput:
                if (Interlocked.Add(ref _outstanding, frame.Payload.Length) > WindowBytes)
                    throw new FrameProtocolException($"pty_output beyond the window of {WindowBytes} bytes for PTY {Id}");
                _output.Writer.TryWrite(frame.Payload);
                return ValueTask.FromResult(false);
            default: // pty_exit
                _exited.TrySetResult(frame.Header.ExitCode ?? -1);
                _output.Writer.TryComplete();
                return ValueTask.FromResult(true);
        }
    }

    public override void Fail(Exception exception)
    {
        _opened.TrySetException(exception);
        _exited.TrySetException(exception);
        _output.Writer.TryComplete(exception);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < input.Length; offset += MaxInputFrameBytes)
        {
            var chunk = input.Slice(offset, Math.Min(MaxInputFrameBytes, input.Length - offset));
            await connection.SendPtyFrameAsync(new Frame(new AgentMessage { Kind = MessageKind.PtyInput, Id = Id }, chunk), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken) =>
        connection.SendPtyFrameAsync(new Frame(new AgentMessage { Kind = MessageKind.PtyResize, Id = Id, Cols = cols, Rows = rows }), cancellationToken);

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_current.IsEmpty)
            {
                if (_output.Reader.TryRead(out var next))
                {
                    _current = next;
                    continue;
                }
                await GrantAsync(cancellationToken).ConfigureAwait(false); // nothing queued: give the agent all it may have
                try
                {
                    if (!await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                        return 0;
                }
                catch (ChannelClosedException e) when (e.InnerException is MachineException gone)
                {
                    throw new MachineException(gone.Code, gone.Message, gone);
                }
            }
            var n = Math.Min(buffer.Length, _current.Length);
            _current[..n].CopyTo(buffer);
            _current = _current[n..];
            _ungranted += n;
            if (_ungranted >= WindowBytes / 4)
                await GrantAsync(cancellationToken).ConfigureAwait(false);
            return n;
        }
        finally
        {
            _reading.Release();
        }
    }

    /// <summary>Gives back the credit for what the reader has taken (a no-op once the shell has exited).</summary>
    private async Task GrantAsync(CancellationToken cancellationToken)
    {
        if (_ungranted == 0 || _exited.Task.IsCompleted)
            return;
        var grant = _ungranted;
        _ungranted = 0;
        Interlocked.Add(ref _outstanding, -grant);
        await connection.SendPtyFrameAsync(new Frame(new AgentMessage { Kind = MessageKind.PtyCredit, Id = Id, CreditBytes = grant }), cancellationToken)
            .ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            // Open, or not answered yet (the caller gave up waiting): close it. Refused: nothing runs.
            var open = _opened.Task.IsCompletedSuccessfully ? _opened.Task.Result.Kind == MessageKind.Ok : !_opened.Task.IsCompleted;
            if (open && !_exited.Task.IsCompleted)
            {
                await connection.SendPtyFrameAsync(new Frame(new AgentMessage { Kind = MessageKind.PtyClose, Id = Id }), CancellationToken.None)
                    .ConfigureAwait(false);
                if (_opened.Task.IsCompletedSuccessfully)
                    await _exited.Task.WaitAsync(connection.CancelGrace).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is MachineException or TimeoutException)
        {
            // The machine went away (its shells with it), or the agent did not confirm in time: the host stops waiting.
        }
        finally
        {
            connection.ForgetPty(Id);
            // Frames for it are dropped from now on: whoever still waits learns that the host stopped waiting.
            Fail(new MachineException(MachineErrorCode.GuestError, $"The guest agent did not confirm that PTY {Id} ended."));
        }
    }
}
