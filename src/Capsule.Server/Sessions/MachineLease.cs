using Capsule.Server.Store;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// One VM as held by a session, with the executions running on it. Executions enter and exit; a lifecycle
/// operation stops the lease (which cancels their tokens) and waits for them to drain before the VM is destroyed.
/// Invariant: no execution enters after <see cref="Stop"/>.
/// </summary>
internal sealed class MachineLease(IMachine machine, DateTimeOffset spawnedAt) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private int _inFlight;
    private VmState? _endReason;

    public IMachine Machine { get; } = machine;

    public DateTimeOffset SpawnedAt { get; } = spawnedAt;

    /// <summary>The timer that expires this VM; owned by the lease.</summary>
    public ITimer? ExpiryTimer { get; set; }

    /// <summary>Cancelled when the lease is stopped: executions link their tokens to it.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Why the lease was stopped; null while it runs.</summary>
    public VmState? EndReason
    {
        get
        {
            lock (_gate)
                return _endReason;
        }
    }

    public bool TryEnter()
    {
        lock (_gate)
        {
            if (_endReason is not null)
                return false;
            _inFlight++;
            return true;
        }
    }

    public void Exit()
    {
        lock (_gate)
        {
            _inFlight--;
            if (_endReason is not null && _inFlight == 0)
                _drained.TrySetResult();
        }
    }

    /// <summary>Refuses new executions, cancels running ones; the task completes when they have all exited.</summary>
    public Task Stop(VmState reason)
    {
        lock (_gate)
        {
            _endReason ??= reason;
            if (_inFlight == 0)
                _drained.TrySetResult();
        }
        ExpiryTimer?.Dispose();
        _stopping.Cancel();
        return _drained.Task;
    }

    public void Dispose()
    {
        ExpiryTimer?.Dispose();
        _stopping.Dispose();
    }
}
