namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachineHost
{
    /// <summary>How often a pool that is paused for lack of capacity looks again (it also looks when a machine goes away).</summary>
    private static readonly TimeSpan CapacityRecheck = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelayMin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RetryDelayMax = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim _refill = new(0, 1);
    private readonly Lock _refillGate = new();

    /// <summary>Machines waiting in the pool for <paramref name="vcpuCount"/>.</summary>
    public int PooledCount(int vcpuCount)
    {
        lock (_machines)
            return _pool.CountFor(vcpuCount);
    }

    /// <summary>
    /// Starts filling the warm pool in the background: one restore at a time, oldest deficit first, paused while the
    /// host is at capacity, woken when a hand-over completes or a machine goes away. Builds a missing snapshot of a
    /// pooled vCPU count first (progress in the log). Nothing happens when <see cref="VmOptions.WarmPoolSize"/> is 0.
    /// Call once (the hosted <see cref="VmStartup"/> does).
    /// </summary>
    public void StartPool()
    {
        if (_pool.Size == 0 || _options.PooledVcpuCounts.Count == 0)
            return;
        LogPoolStarting(_logger, _pool.Size, _options.WarmPoolVcpus);
        _background.Start("warm pool refill", RefillLoopAsync);
    }

    private void RequestRefill()
    {
        lock (_refillGate)
        {
            if (_refill.CurrentCount == 0)
                _refill.Release();
        }
    }

    private async Task RefillLoopAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        string? paused = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int? vcpuCount;
                lock (_machines)
                    vcpuCount = _pool.NextToFill();
                if (vcpuCount is null)
                {
                    await _refill.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var machine = TryReserveForPool(vcpuCount.Value, out var refusal);
                if (machine is null)
                {
                    if (paused is null)
                        LogPoolPaused(_logger, refusal!);
                    paused = refusal;
                    await WaitForRefillAsync(CapacityRecheck, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (paused is not null)
                    LogPoolResumed(_logger);
                paused = null;
                if (await TryFillAsync(machine, cancellationToken).ConfigureAwait(false))
                {
                    failures = 0;
                    continue;
                }
                failures++;
                var delay = TimeSpan.FromTicks(Math.Min(RetryDelayMax.Ticks, RetryDelayMin.Ticks << Math.Min(failures - 1, 10)));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: DisposeAsync destroys the pooled machines with the others.
        }
    }

    /// <summary>Waits until a refill is requested or <paramref name="recheck"/> has passed, whichever comes first.</summary>
    private async Task WaitForRefillAsync(TimeSpan recheck, CancellationToken cancellationToken)
    {
        using var recheckDue = new CancellationTokenSource(recheck, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, recheckDue.Token);
        try
        {
            await _refill.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Time to look again.
        }
    }

    /// <summary>Restores and warms <paramref name="machine"/>, then puts it in the pool; false (logged, machine destroyed) if that failed.</summary>
    private async Task<bool> TryFillAsync(QemuMachine machine, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var snapshot = await Snapshots.EnsureAsync(machine.VcpuCount, force: false, _buildProgress, cancellationToken).ConfigureAwait(false);
            await machine.RestoreAsync(RestoreFor(machine, snapshot), cancellationToken).ConfigureAwait(false);
            await machine.WarmAsync(_options.RestoreTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MachineException or IOException or UnauthorizedAccessException or InvalidDataException
                                      || (e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            await machine.DisposeAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            LogRefillFailed(_logger, e, machine.VcpuCount);
            return false;
        }
        bool added;
        lock (_machines)
        {
            added = !_disposed && _machines.ContainsKey(machine.MachineId) && !machine.Exited.IsCompleted;
            if (added)
                _pool.Add(machine);
        }
        if (!added)
        {
            await machine.DisposeAsync().ConfigureAwait(false);
            return true;
        }
        _background.Start($"pool watch of {machine.MachineId}", stopping => WatchPooledAsync(machine, stopping));
        var elapsedMs = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        LogPooled(_logger, machine.MachineId, machine.VcpuCount, elapsedMs);
        return true;
    }

    /// <summary>A pooled machine that dies while waiting leaves the pool and is replaced.</summary>
    private async Task WatchPooledAsync(QemuMachine machine, CancellationToken cancellationToken)
    {
        await machine.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
        bool wasPooled;
        lock (_machines)
            wasPooled = _pool.Remove(machine);
        if (!wasPooled)
            return;
        Retire([machine]);
        RequestRefill();
    }
}
