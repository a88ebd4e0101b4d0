namespace Capsule.Vm.Agent;

/// <summary>
/// A deadline that is armed only while the host waits on the guest for the next part of a transfer, and disarmed
/// while it waits on anyone else (the client's body, the client's reading). <see cref="Token"/> is cancelled when the
/// caller's token is, or when one armed wait lasts longer than the idle limit.
/// </summary>
internal sealed class IdleDeadline : IDisposable
{
    private readonly CancellationTokenSource _idle;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _caller;
    private readonly TimeSpan _limit;

    public IdleDeadline(TimeSpan limit, TimeProvider time, CancellationToken caller)
    {
        _limit = limit;
        _caller = caller;
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _idle.Token);
    }

    /// <summary>Cancelled by the caller, or by an armed wait that went past the limit.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The limit fired (and the caller did not cancel): the guest went silent.</summary>
    public bool Expired => _idle.IsCancellationRequested && !_caller.IsCancellationRequested;

    public TimeSpan Limit => _limit;

    /// <summary>Starts the clock for one wait on the guest.</summary>
    public void Arm() => _idle.CancelAfter(_limit);

    /// <summary>Stops the clock: the host now waits on something that is not the guest.</summary>
    public void Disarm()
    {
        if (!_idle.IsCancellationRequested)
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _linked.Dispose();
        _idle.Dispose();
    }
}
