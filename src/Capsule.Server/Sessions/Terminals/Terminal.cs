using Capsule.Server.Api.Errors;
using Capsule.Vm;

namespace Capsule.Server.Sessions.Terminals;

/// <summary>
/// One PTY of a session, owned by the <see cref="TerminalRegistry"/>. It holds its VM's lease entered while it runs, so
/// a kill, expiry or crash of the VM stops it (the lease's stop closes the shell) before the VM is destroyed.
/// 1. At most one WebSocket is attached at a time (<see cref="Attach"/>); a new attach takes over from the old one.
/// 2. With none attached (from creation, or after a drop) the PTY lives on for the reattach grace, then is closed.
/// 3. When the shell has ended it stays listed, exited, for one more grace, then is forgotten.
/// </summary>
internal sealed partial class Terminal
{
    private readonly IMachinePty _pty;
    private readonly MachineLease _lease;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly ILogger _logger;
    private readonly Action<Terminal> _forget;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer _graceTimer;
    private TerminalAttachment? _attachment;
    private Task? _closing;

    private Terminal(
        string ptyId, Guid sessionId, TerminalSpec spec, IMachinePty pty, MachineLease lease, TimeProvider time, TimeSpan grace,
        ILogger logger, Action<Terminal> forget)
    {
        PtyId = ptyId;
        SessionId = sessionId;
        Shell = spec.Shell;
        Cols = spec.Cols;
        Rows = spec.Rows;
        CreatedAt = time.GetUtcNow();
        _pty = pty;
        _lease = lease;
        _time = time;
        _grace = grace;
        _logger = logger;
        _forget = forget;
        _graceTimer = time.CreateTimer(OnGraceOver, null, grace, Timeout.InfiniteTimeSpan);
    }

    public string PtyId { get; }

    public Guid SessionId { get; }

    public string Shell { get; }

    public DateTimeOffset CreatedAt { get; }

    public int Cols { get; private set; }

    public int Rows { get; private set; }

    /// <summary>The shell's exit status once it has ended; null while it runs, or when its VM went away under it.</summary>
    public int? ExitCode { get; private set; }

    public DateTimeOffset? EndedAt { get; private set; }

    public bool IsRunning => !_ended.Task.IsCompleted;

    public bool IsAttached
    {
        get
        {
            lock (_gate)
                return _attachment is not null;
        }
    }

    /// <summary>Completes when the shell has ended and the lease is given back.</summary>
    public Task Ended => _ended.Task;

    /// <summary>Takes over a PTY whose machine side is open; the caller's lease entry passes to it.</summary>
    public static Terminal Start(
        string ptyId, Guid sessionId, TerminalSpec spec, IMachinePty pty, MachineLease lease, TimeProvider time, TimeSpan grace,
        ILogger logger, Action<Terminal> forget)
    {
        var terminal = new Terminal(ptyId, sessionId, spec, pty, lease, time, grace, logger, forget);
        _ = terminal.WatchAsync();
        return terminal;
    }

    /// <summary>Attaches a WebSocket, detaching the one before it; null when the shell has ended.</summary>
    public TerminalAttachment? Attach()
    {
        lock (_gate)
        {
            if (!IsRunning)
                return null;
            _attachment?.Supersede();
            _attachment = new TerminalAttachment(this);
            _graceTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return _attachment;
        }
    }

    public async Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Cols = cols;
            Rows = rows;
        }
        if (!IsRunning)
            return;
        try
        {
            await _pty.ResizeAsync(cols, rows, cancellationToken);
        }
        catch (MachineException gone)
        {
            throw Gone(gone);
        }
    }

    /// <summary>Kills the shell and everything it started; completes when it has ended. Safe to call more than once.</summary>
    public Task CloseAsync()
    {
        lock (_gate)
            _closing ??= CloseOnceAsync();
        return _closing;
    }

    internal async Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        try
        {
            await _pty.WriteAsync(input, cancellationToken);
        }
        catch (MachineException gone)
        {
            throw Gone(gone);
        }
    }

    /// <summary>Output as the guest printed it; 0 once the shell has ended and all of it has been read.</summary>
    internal async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _pty.ReadAsync(buffer, cancellationToken);
        }
        catch (MachineException gone)
        {
            throw Gone(gone);
        }
    }

    private CapsuleException Gone(MachineException reason)
    {
        LogLost(_logger, PtyId, reason.Message);
        return new CapsuleException(ErrorCode.Gone, $"PTY {PtyId} has ended: its VM went away");
    }

    internal void Detach(TerminalAttachment attachment)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_attachment, attachment))
                return;
            _attachment = null;
            if (IsRunning)
                _graceTimer.Change(_grace, Timeout.InfiniteTimeSpan);
        }
        LogDetached(_logger, PtyId, _grace.TotalSeconds);
    }

    private async Task CloseOnceAsync()
    {
        await _pty.DisposeAsync();
        await _ended.Task;
    }

    private async Task WatchAsync()
    {
        int? exitCode = null;
        try
        {
            using (_lease.Stopping.Register(() => _ = CloseAsync()))
            {
                try
                {
                    exitCode = await _pty.Exited;
                }
                catch (MachineException gone)
                {
                    LogLost(_logger, PtyId, gone.Message);
                }
            }
            await _pty.DisposeAsync();
        }
        finally
        {
            _lease.Exit();
            lock (_gate)
            {
                ExitCode = exitCode;
                EndedAt = _time.GetUtcNow(); // an attached socket still reads what is left, then the end
                _graceTimer.Change(_grace, Timeout.InfiniteTimeSpan);
            }
            _ended.TrySetResult();
            LogEnded(_logger, PtyId, exitCode);
        }
    }

    private void OnGraceOver(object? state)
    {
        if (!IsRunning)
        {
            _graceTimer.Dispose();
            _forget(this);
            return;
        }
        lock (_gate)
        {
            if (_attachment is not null)
                return;
        }
        LogGraceOver(_logger, PtyId, _grace.TotalSeconds);
        _ = CloseAsync();
    }

    [LoggerMessage(EventId = 800, Level = LogLevel.Information, Message = "PTY {PtyId} ended (exit code {ExitCode})")]
    private static partial void LogEnded(ILogger logger, string ptyId, int? exitCode);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "PTY {PtyId}: no WebSocket for {GraceSeconds} s; closing it")]
    private static partial void LogGraceOver(ILogger logger, string ptyId, double graceSeconds);

    [LoggerMessage(EventId = 802, Level = LogLevel.Debug, Message = "PTY {PtyId} detached; it waits {GraceSeconds} s for a reattach")]
    private static partial void LogDetached(ILogger logger, string ptyId, double graceSeconds);

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "PTY {PtyId} lost its machine: {Reason}")]
    private static partial void LogLost(ILogger logger, string ptyId, string reason);
}
