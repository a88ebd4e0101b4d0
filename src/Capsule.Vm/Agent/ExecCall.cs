using System.Text;
using System.Threading.Channels;
using Capsule.Agent.Protocol;

namespace Capsule.Vm.Agent;

/// <summary>
/// One running exec: collects <c>output</c> frames (decoded per stream with a stateful UTF-8 decoder, so a
/// character split across frames survives; capped per stream) until the <c>exit</c> frame, whose <c>truncated</c>
/// (the agent's own cap) and <c>oom_killed</c> flags end up in the result. The agent caps each stream at the limit
/// itself and may then add its own <c>[capsule]</c> lines to stderr (OOM kill, process limit, interpreter restart);
/// the host's stderr cap leaves <see cref="AgentNoteRoomBytes"/> beyond the limit for them, so a note is never cut.
/// The reader loop feeds it; <see cref="Abandon"/> may end it from the caller's side, hence the lock.
/// </summary>
internal sealed class ExecCall(int outputLimitBytes, bool streamChunks) : PendingCall
{
    /// <summary>The exit code of an exec whose end the agent never reported (as for a timeout).</summary>
    public const int AbandonedExitCode = 124;

    /// <summary>Room on stderr beyond the limit for the agent's notes (each is a line of about 200 bytes).</summary>
    public const int AgentNoteRoomBytes = 4096;

    private readonly Lock _gate = new();
    private readonly TaskCompletionSource<ExecResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<OutputChunk> _chunks = Channel.CreateUnbounded<OutputChunk>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StreamState _stdout = new(OutputStreamKind.Stdout, outputLimitBytes);
    private readonly StreamState _stderr = new(OutputStreamKind.Stderr, outputLimitBytes + AgentNoteRoomBytes);
    private bool _truncated;
    private bool _oomKilled;

    public Task<ExecResult> Result => _result.Task;

    public override string RequestKind => MessageKind.Exec;

    public override bool Accepts(string kind) => kind is MessageKind.Output or MessageKind.Exit or MessageKind.Error;

    /// <summary>Decoded output in production order per stream; completes after the exit. Empty unless streaming was asked for.</summary>
    public ChannelReader<OutputChunk> Chunks => _chunks.Reader;

    public override ValueTask<bool> OnFrameAsync(Frame frame, CancellationToken cancellationToken)
    {
        var header = frame.Header;
        lock (_gate)
        {
            if (_result.Task.IsCompleted)
                return ValueTask.FromResult(true);
            switch (header.Kind)
            {
                case MessageKind.Output:
                    Append(header.Stream == OutputStream.Stderr ? _stderr : _stdout, frame.Payload.Span, flush: false);
                    return ValueTask.FromResult(false);
                case MessageKind.Exit:
                    _truncated |= header.Truncated ?? false;
                    _oomKilled = header.OomKilled ?? false;
                    Complete(header.ExitCode ?? -1, header.TimedOut ?? false,
                        TimeSpan.FromMilliseconds(header.WallMs ?? 0), TimeSpan.FromMilliseconds(header.CpuMs ?? 0));
                    return ValueTask.FromResult(true);
                case MessageKind.Error:
                    Fail(AgentErrors.ForRequest(header, MessageKind.Exec));
                    return ValueTask.FromResult(true);
                default:
                    throw new InvalidOperationException($"The reader loop delivered a {header.Kind} frame that exec does not accept.");
            }
        }
    }

    public override void Fail(Exception exception)
    {
        _chunks.Writer.TryComplete(exception);
        _result.TrySetException(exception);
    }

    /// <summary>
    /// Ends the exec without the agent's exit: the output so far plus <paramref name="note"/> on stderr, flagged as
    /// timed out with <see cref="AbandonedExitCode"/>. Returns the agent's result instead if it came first.
    /// </summary>
    public ExecResult Abandon(string note, TimeSpan wallTime)
    {
        lock (_gate)
        {
            if (!_result.Task.IsCompleted)
            {
                // Flush first, and bypass the cap: the note must be seen even when the output was truncated.
                Append(_stderr, [], flush: true);
                _stderr.Text.Append(note);
                if (streamChunks)
                    _chunks.Writer.TryWrite(new OutputChunk(OutputStreamKind.Stderr, note));
                Complete(AbandonedExitCode, timedOut: true, wallTime, TimeSpan.Zero);
            }
        }
        return _result.Task.GetAwaiter().GetResult();
    }

    private void Complete(int exitCode, bool timedOut, TimeSpan wallTime, TimeSpan cpuTime)
    {
        Append(_stdout, [], flush: true);
        Append(_stderr, [], flush: true);
        _chunks.Writer.TryComplete();
        _result.TrySetResult(new ExecResult
        {
            Stdout = _stdout.Text.ToString(),
            Stderr = _stderr.Text.ToString(),
            ExitCode = exitCode,
            TimedOut = timedOut,
            OutputTruncated = _truncated,
            OomKilled = _oomKilled,
            WallTime = wallTime,
            CpuTime = cpuTime,
        });
    }

    private void Append(StreamState state, ReadOnlySpan<byte> bytes, bool flush)
    {
        var room = state.LimitBytes - state.Bytes;
        if (bytes.Length > room)
        {
            _truncated = true;
            bytes = bytes[..Math.Max(room, 0)];
        }
        state.Bytes += bytes.Length;
        // GetChars must see every byte, even when no char completes: the decoder keeps a split character's start.
        var chars = new char[state.Decoder.GetCharCount(bytes, flush)];
        state.Decoder.GetChars(bytes, chars, flush);
        if (chars.Length == 0)
            return;
        state.Text.Append(chars);
        if (streamChunks)
            _chunks.Writer.TryWrite(new OutputChunk(state.Kind, new string(chars)));
    }

    private sealed class StreamState(OutputStreamKind kind, int limitBytes)
    {
        public OutputStreamKind Kind { get; } = kind;
        public int LimitBytes { get; } = limitBytes;
        public Decoder Decoder { get; } = new UTF8Encoding(false).GetDecoder();
        public StringBuilder Text { get; } = new();
        public int Bytes { get; set; }
    }
}
