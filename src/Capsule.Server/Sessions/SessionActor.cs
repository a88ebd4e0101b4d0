using Capsule.Server.Api.Errors;
using Capsule.Server.Store;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// The single owner of one session and its VM. Lifecycle operations (spawn, kill, expire, crash, shutdown) are
/// serialised by one lock; executions take the lock only to find or spawn the VM and enter its lease, then run
/// concurrently with each other. A lifecycle operation stops the lease, which cancels running executions and waits
/// for them, so no execution ever overlaps a spawn or a teardown of its VM.
/// </summary>
internal sealed partial class SessionActor
{
    private readonly SessionServices _services;
    private readonly Func<SessionActor, Task<bool>> _revive;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Lock _recordGate = new();
    private MachineLease? _lease;
    private volatile SessionRecord _record;
    private bool _retired;

    /// <param name="record">The session as stored.</param>
    /// <param name="services">What every actor shares.</param>
    /// <param name="revive">
    /// Puts a retired actor back in the registry before it spawns a VM; false when another actor for the session was
    /// loaded meanwhile (see <see cref="TryRetireAsync"/>).
    /// </param>
    public SessionActor(SessionRecord record, SessionServices services, Func<SessionActor, Task<bool>> revive)
    {
        _record = record;
        _services = services;
        _revive = revive;
    }

    public Guid SessionId => _record.SessionId;

    /// <summary>The session's record as it is now (its latest VM's id, state and times included).</summary>
    public SessionRecord CurrentRecord => _record;

    /// <summary>Makes sure a VM runs for this session, spawning one if there is none.</summary>
    public async Task EnsureMachineAsync(CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_lease is null)
                await SpawnLockedAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Destroys the session's VM; returns its id, or null when it has none.</summary>
    public async Task<string?> KillAsync(CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_lease is null)
                return null;
            var vmId = _lease.Machine.MachineId;
            await EndLockedAsync(VmState.Killed, "killed by POST /kill");
            return vmId;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Puts the session's stored egress policy (or the default) in force on its running VM, if any; a VM spawned later
    /// reads it at spawn. Under the lifecycle lock, so a spawn running meanwhile gets it either way.
    /// </summary>
    public async Task ApplyEgressAsync(CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_lease is null)
                return;
            var rules = await _services.Egress.RulesForAsync(SessionId, cancellationToken);
            try
            {
                await _lease.Machine.SetEgressAsync(rules, cancellationToken);
            }
            catch (MachineException refused)
            {
                throw MachineErrors.Translate(refused, _services.Logger);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Destroys the VM, if any, because the server is stopping; true when there was one.</summary>
    public async Task<bool> StopAsync()
    {
        using var scope = BeginScope();
        await _lifecycle.WaitAsync(CancellationToken.None);
        try
        {
            if (_lease is null)
                return false;
            await EndLockedAsync(VmState.HostLost, "destroyed because the server was stopping");
            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Makes the session's VM expire <paramref name="seconds"/> from now (its lifetime is counted from spawn, so the new
    /// lifetime is the uptime so far plus <paramref name="seconds"/>, rounded up to whole seconds). Refused, as data,
    /// when that would exceed <see cref="SessionLimits.MaxLifetimeSeconds"/>. A session with no running VM keeps the new lifetime for
    /// its next VM.
    /// </summary>
    public async Task<ExtendResult> ExtendAsync(int seconds, CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            var lifetime = seconds;
            if (_lease is { } lease)
            {
                var uptime = Math.Max(0, (int)Math.Ceiling((_services.Time.GetUtcNow() - lease.SpawnedAt).TotalSeconds));
                if (uptime + seconds > SessionLimits.MaxLifetimeSeconds)
                    return new ExtendResult(Extended: false, MaxSeconds: Math.Max(0, SessionLimits.MaxLifetimeSeconds - uptime));
                lifetime = uptime + seconds;
                var due = lease.SpawnedAt.AddSeconds(lifetime) - _services.Time.GetUtcNow();
                lease.ExpiryTimer?.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
            }
            UpdateRecord(r => r with { VmLifetimeSeconds = lifetime });
            LogLifetimeChanged(_services.Logger, lifetime);
            await _services.Store.UpdateLifetimeAsync(SessionId, lifetime, CancellationToken.None);
            return new ExtendResult(Extended: true, MaxSeconds: SessionLimits.MaxLifetimeSeconds);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Marks the actor retired when it holds no VM and nobody is inside a lifecycle operation, so the registry can drop
    /// it from memory (the store has everything it knows). A request that still holds a retired actor can read it and
    /// change the store through it; before it spawns a VM the actor puts itself back (<see cref="_revive"/>), so a
    /// session never has two actors with VMs.
    /// </summary>
    public async Task<bool> TryRetireAsync()
    {
        if (!await _lifecycle.WaitAsync(TimeSpan.Zero))
            return false;
        try
        {
            if (_lease is not null || _record.VmState == VmState.Active)
                return false;
            _retired = true;
            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task<MachineLease> SpawnLockedAsync(CancellationToken cancellationToken)
    {
        var stopping = _services.Lifetime.ApplicationStopping;
        if (stopping.IsCancellationRequested)
            throw new CapsuleException(ErrorCode.Unavailable, "The server is shutting down");
        if (_retired)
        {
            if (!await _revive(this))
                throw new CapsuleException(ErrorCode.Conflict, $"Session {SessionId} was reloaded while this request ran; retry it");
            _retired = false;
        }

        var record = _record;
        var egress = await _services.Egress.RulesForAsync(SessionId, cancellationToken);
        var spec = new MachineSpec { VcpuCount = record.VcpuCount, MemoryMb = record.MemoryMb, Env = record.Env, Egress = egress };
        var startedAt = _services.Time.GetTimestamp();
        _services.Quotas.AcquireMachine(record.ApiKeyId);
        LogSpawning(_services.Logger, record.VcpuCount, record.MemoryMb);
        IMachine? machine = null;
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping))
        {
            try
            {
                machine = await _services.Machines.StartAsync(spec, linked.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new CapsuleException(ErrorCode.Unavailable, "The server is shutting down");
            }
            catch (MachineException refused)
            {
                MachineErrors.Count(refused, _services.Metrics);
                throw MachineErrors.Translate(refused, _services.Logger);
            }
            finally
            {
                // No machine: the key's place is given back here; a machine gives it back when it is destroyed.
                if (machine is null)
                    _services.Quotas.ReleaseMachine(record.ApiKeyId);
            }
        }
        _services.Counter.Started();

        var now = _services.Time.GetUtcNow();
        var lease = new MachineLease(machine, now);
        _lease = lease;
        UpdateRecord(r => r with { VmId = machine.MachineId, VmState = VmState.Active, SpawnedAt = now, EndedAt = null, EndDetail = null });
        lease.ExpiryTimer = _services.Time.CreateTimer(
            OnExpiryDue, lease, TimeSpan.FromSeconds(record.VmLifetimeSeconds), Timeout.InfiniteTimeSpan);
        RunInBackground(() => WatchForCrashAsync(lease));
        var elapsed = _services.Time.GetElapsedTime(startedAt);
        LogSpawned(_services.Logger, machine.MachineId, elapsed.TotalMilliseconds);

        await _services.Store.MarkSpawnedAsync(SessionId, machine.MachineId, now, CancellationToken.None);
        return lease;
    }

    /// <summary>Tears the current lease down: stop, drain, destroy, record. Runs to the end whatever happens.</summary>
    private async Task EndLockedAsync(VmState reason, string detail)
    {
        var lease = _lease ?? throw new InvalidOperationException("No VM to end");
        _lease = null;
        var endedAt = _services.Time.GetUtcNow();
        UpdateRecord(r => r with { VmState = reason, EndedAt = endedAt, EndDetail = detail });

        var drained = lease.Stop(reason);
        using (var giveUp = new CancellationTokenSource())
        {
            var delay = Task.Delay(_services.DrainTimeout, _services.Time, giveUp.Token);
            if (await Task.WhenAny(drained, delay) != drained)
                LogDrainTimedOut(_services.Logger, lease.Machine.MachineId, _services.DrainTimeout.TotalSeconds);
            await giveUp.CancelAsync();
        }

        await lease.Machine.DisposeAsync();
        lease.Dispose();
        _services.Counter.Destroyed();
        _services.Quotas.ReleaseMachine(_record.ApiKeyId);
        var reasonName = reason.ToWire();
        var uptime = endedAt - lease.SpawnedAt;
        LogEnded(_services.Logger, lease.Machine.MachineId, reasonName, uptime.TotalSeconds);

        await _services.Store.MarkEndedAsync(SessionId, reason, detail, endedAt, CancellationToken.None);
    }

    private void OnExpiryDue(object? state)
    {
        var lease = (MachineLease)state!;
        RunInBackground(() => EndIfCurrentAsync(lease, VmState.Expired, "destroyed at the end of its lifetime"));
    }

    private async Task WatchForCrashAsync(MachineLease lease)
    {
        var exit = await lease.Machine.Exited;
        var state = exit.Reason switch
        {
            MachineExitReason.Crashed => VmState.Crashed,
            MachineExitReason.Oom => VmState.Oom,
            _ => (VmState?)null,
        };
        if (state is null)
            return;
        using var scope = BeginScope();
        LogCrashed(_services.Logger, lease.Machine.MachineId, exit.Detail);
        await EndIfCurrentAsync(lease, state.Value, exit.Detail);
    }

    private async Task EndIfCurrentAsync(MachineLease lease, VmState reason, string detail)
    {
        using var scope = BeginScope();
        await _lifecycle.WaitAsync(CancellationToken.None);
        try
        {
            if (!ReferenceEquals(_lease, lease))
                return;
            // An extension may have moved the deadline after this expiry was queued, and a timer may fire a little
            // before the wall clock reaches the deadline: either way, re-arm for what is left instead of dropping it.
            var remaining = lease.SpawnedAt.AddSeconds(_record.VmLifetimeSeconds) - _services.Time.GetUtcNow();
            if (reason == VmState.Expired && remaining > TimeSpan.Zero)
            {
                lease.ExpiryTimer?.Change(remaining, Timeout.InfiniteTimeSpan);
                return;
            }
            await EndLockedAsync(reason, detail);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Timer and exit callbacks run here: off the caller's thread, failures logged rather than lost.</summary>
    private void RunInBackground(Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work();
        }
#pragma warning disable CA1031 // The top of a background task: nobody else could observe the failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogBackgroundFailed(_services.Logger, ex);
        }
    });

    private IDisposable? BeginScope() => SessionScope(_services.Logger, SessionId);

    /// <summary>Every change to <see cref="_record"/> goes through here, so concurrent changes never lose each other.</summary>
    private void UpdateRecord(Func<SessionRecord, SessionRecord> change)
    {
        lock (_recordGate)
            _record = change(_record);
    }

    private static string Describe(VmState reason) => reason switch
    {
        VmState.Killed => "killed",
        VmState.Expired => "destroyed at the end of its lifetime",
        VmState.Crashed => "lost (it crashed)",
        VmState.Oom => "lost (the guest ran out of memory)",
        VmState.HostLost => "destroyed because the server is stopping",
        _ => reason.ToWire(),
    };
}
