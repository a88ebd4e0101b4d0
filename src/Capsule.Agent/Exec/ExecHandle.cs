using Capsule.Agent.Connection;
using Capsule.Agent.Logging;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Exec;

/// <summary>
/// One exec request from arrival to its single <c>exit</c> frame. States: pending (queued) →
/// started (a runner owns it) → done. A stop request on a pending exec ends it at once with exit
/// code 130; on a started one it runs the interrupt the runner registered, and the runner ends it.
/// Output beyond <paramref name="outputLimitBytes"/> per stream is dropped (the runner keeps reading it, so the
/// process is never blocked on a full pipe) and the exit frame says <c>truncated</c>.
/// </summary>
/// <param name="outputLimitBytes">Per-stream cap on forwarded output; null: none.</param>
/// <param name="ending">Runs just before the exit frame is sent (the dispatcher forgets the id, so the host may reuse it).</param>
internal sealed class ExecHandle(long id, string code, TimeSpan? timeout, long? outputLimitBytes, HostChannel channel, Action<long> ending, ILogger logger)
{
    public const int TimeoutExitCode = 124;
    public const int CancelExitCode = 130;

    private readonly object _gate = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ExecStop _stop;
    private bool _started;
    private bool _done;
    private Action? _interrupt;
    private long _stdoutBytes;
    private long _stderrBytes;
    private bool _truncated;
    private bool _oomKilled;

    public long Id => id;
    public string Code => code;
    public TimeSpan? Timeout => timeout;

    /// <summary>Completes after the exit frame has been sent (or dropped).</summary>
    public Task Finished => _finished.Task;

    public ExecStop Stop
    {
        get
        {
            lock (_gate)
                return _stop;
        }
    }

    /// <summary>Claims the exec for a runner; false if it was stopped while it waited.</summary>
    public bool TryStart()
    {
        lock (_gate)
        {
            if (_done)
                return false;
            _started = true;
            return true;
        }
    }

    /// <summary>Registers how to wake the runner on a stop; runs it at once if a stop already came.</summary>
    public void OnInterrupt(Action interrupt)
    {
        bool now;
        lock (_gate)
        {
            _interrupt = interrupt;
            now = _stop != ExecStop.None;
        }
        if (now)
            interrupt();
    }

    public void RequestStop(ExecStop reason)
    {
        Action? interrupt = null;
        var endNow = false;
        lock (_gate)
        {
            if (_done)
                return;
            if (_stop == ExecStop.None)
                _stop = reason;
            if (_started)
            {
                interrupt = _interrupt;
            }
            else
            {
                _done = true;
                endNow = true;
            }
        }
        if (endNow)
            SendExit(CancelExitCode, timedOut: false, wallMs: 0, cpuMs: 0, truncated: false, oomKilled: false);
        else
            interrupt?.Invoke();
    }

    /// <summary>Forwards output, up to the per-stream cap; bytes beyond it are dropped and flag the exec as truncated.</summary>
    public void Output(string stream, ReadOnlyMemory<byte> bytes)
    {
        lock (_gate)
        {
            ref var sent = ref stream == OutputStream.Stderr ? ref _stderrBytes : ref _stdoutBytes;
            if (outputLimitBytes is { } limit && sent + bytes.Length > limit)
            {
                _truncated = true;
                bytes = bytes[..(int)Math.Max(limit - sent, 0)];
            }
            sent += bytes.Length;
        }
        if (!bytes.IsEmpty)
            channel.Send(new AgentMessage { Kind = MessageKind.Output, Id = id, Stream = stream }, bytes);
    }

    /// <summary>Writes a note of the agent's own on stderr, past the cap: it must be seen even when the output was cut.</summary>
    public void Note(string text) =>
        channel.Send(new AgentMessage { Kind = MessageKind.Output, Id = id, Stream = OutputStream.Stderr }, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Records that the guest's OOM killer killed a process of this exec; the exit frame says so.</summary>
    public void MarkOomKilled()
    {
        lock (_gate)
            _oomKilled = true;
    }

    /// <summary>Ends the exec; the exit code is replaced by 124 on a timeout and 130 after a stop.</summary>
    public void Complete(int exitCode, bool timedOut, double wallMs, double cpuMs)
    {
        bool truncated, oomKilled;
        lock (_gate)
        {
            if (_done)
                return;
            _done = true;
            if (timedOut)
                exitCode = TimeoutExitCode;
            else if (_stop != ExecStop.None)
                exitCode = CancelExitCode;
            truncated = _truncated;
            oomKilled = _oomKilled;
        }
        SendExit(exitCode, timedOut, wallMs, cpuMs, truncated, oomKilled);
    }

    private void SendExit(int exitCode, bool timedOut, double wallMs, double cpuMs, bool truncated, bool oomKilled)
    {
        ending(id);
        logger.ExecEnded(id, exitCode, wallMs);
        channel.Send(new AgentMessage
        {
            Kind = MessageKind.Exit,
            Id = id,
            ExitCode = exitCode,
            TimedOut = timedOut,
            WallMs = Math.Round(wallMs, 3),
            CpuMs = Math.Round(cpuMs, 3),
            Truncated = truncated ? true : null,
            OomKilled = oomKilled ? true : null,
        });
        _finished.TrySetResult();
    }
}
