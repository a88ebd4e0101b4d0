using Capsule.Server.Api.Errors;
using Capsule.Server.Sessions.Runs;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>Work on the session's VM: executions, files, stats. Each enters the current lease (see <see cref="MachineLease"/>).</summary>
internal sealed partial class SessionActor
{
    /// <summary>How long a usage read waits for the guest's counters.</summary>
    private static readonly TimeSpan StatsPatience = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs code on the session's VM, spawning a fresh one first if there is none. Output chunks go to
    /// <paramref name="onOutput"/> as the guest produces them (it may be null). A guest-side timeout is data in the
    /// result; a kill, expiry or crash during the run is a <see cref="ErrorCode.Conflict"/>. Cancelling
    /// <paramref name="cancellationToken"/> kills the guest process tree. Every result is counted in the session's usage.
    /// </summary>
    public async Task<RunResult> ExecuteAsync(
        CodeRun run, Func<RunOutput, ValueTask>? onOutput, CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        var startedAt = _services.Time.GetTimestamp();
        var lease = await EnterAsync(spawn: true, cancellationToken)
            ?? throw new InvalidOperationException("Entering with spawn always yields a lease");
        RunResult result;
        try
        {
            var patience = run.Timeout + _services.ExecGrace;
            using var deadline = new CancellationTokenSource(patience, _services.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Stopping, deadline.Token);
            Func<OutputChunk, ValueTask>? onChunk = onOutput is null ? null : chunk => onOutput(RunTranslation.FromMachine(chunk));
            try
            {
                result = RunTranslation.FromMachine(await lease.Machine.ExecAsync(run.ToMachine(), onChunk, linked.Token));
            }
            catch (Exception ex) when (IsInterruptedByLifecycle(ex, lease, cancellationToken))
            {
                throw Interrupted(lease, "command");
            }
            catch (MachineException refused)
            {
                throw MachineErrors.Translate(refused, _services.Logger);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                LogExecDeadlineMissed(_services.Logger, lease.Machine.MachineId, patience.TotalSeconds);
                throw new CapsuleException(ErrorCode.Timeout,
                    $"The VM did not answer within {patience.TotalSeconds:0} s");
            }
        }
        finally
        {
            lease.Exit();
        }
        _services.Metrics.Executed(run.Language, _services.Time.GetElapsedTime(startedAt));

        var cpuMs = (long)result.CpuTime.TotalMilliseconds;
        UpdateRecord(r => r with { ExecutionsCount = r.ExecutionsCount + 1, CpuTimeMs = r.CpuTimeMs + cpuMs });
        await _services.Store.AddExecutionAsync(SessionId, cpuMs, CancellationToken.None);
        return result;
    }

    /// <summary>
    /// Writes a guest file, spawning the VM first if there is none. Missing parent folders are created when
    /// <paramref name="createParents"/> is set; otherwise the parent folder must exist (404 if not).
    /// </summary>
    public Task<long> WriteFileAsync(string path, Stream content, bool createParents, CancellationToken cancellationToken) =>
        UseMachineAsync(async (machine, token) =>
        {
            if (!createParents)
                await ParentFolder.RequireAsync(machine, path, token);
            return await machine.WriteFileAsync(path, content, token);
        }, "upload", cancellationToken);

    /// <summary>Copies a guest file into <paramref name="destination"/>, spawning the VM first if there is none.</summary>
    public Task<long> ReadFileAsync(string path, Stream destination, CancellationToken cancellationToken) =>
        UseMachineAsync((machine, token) => machine.ReadFileAsync(path, destination, token), "download", cancellationToken);

    /// <summary>
    /// The guest's counters, or null when the session has no running VM or the guest did not answer in time
    /// (usage is a best-effort view; it never spawns a VM).
    /// </summary>
    public async Task<GuestUsage?> TryGetUsageAsync(CancellationToken cancellationToken)
    {
        var lease = await EnterAsync(spawn: false, cancellationToken);
        if (lease is null)
            return null;
        try
        {
            using var patience = new CancellationTokenSource(StatsPatience, _services.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Stopping, patience.Token);
            try
            {
                var stats = lease.Machine.GetStatsAsync(linked.Token);
                var network = lease.Machine.GetNetworkCountersAsync(linked.Token);
                await Task.WhenAll(stats, network);
                return RunTranslation.FromMachine(await stats, await network);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                && ex is OperationCanceledException or MachineException { Code: MachineErrorCode.MachineGone or MachineErrorCode.GuestError })
            {
                // The VM ended meanwhile, or the guest could not read its counters: usage answers with what it has.
                if (ex is MachineException { Code: MachineErrorCode.GuestError } refused)
                    LogStatsRefused(_services.Logger, refused.Message);
                return null;
            }
        }
        finally
        {
            lease.Exit();
        }
    }

    /// <summary>Whether a VM runs for this session now.</summary>
    public bool HasRunningMachine => _lease is not null;

    /// <summary>
    /// Where this host reaches the running VM's ports (its network slot's address), or null when no VM runs or the
    /// host gives VMs no network. What the apps proxy forwards to.
    /// </summary>
    public string? AppEndpoint => _lease?.Machine.GuestEndpoint;

    /// <summary>Runs <paramref name="work"/> on the VM, translating an interruption by kill/expiry/crash into a 409.</summary>
    private async Task<T> UseMachineAsync<T>(
        Func<IMachine, CancellationToken, Task<T>> work, string activity, CancellationToken cancellationToken)
    {
        using var scope = BeginScope();
        var lease = await EnterAsync(spawn: true, cancellationToken)
            ?? throw new InvalidOperationException("Entering with spawn always yields a lease");
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Stopping);
            try
            {
                return await work(lease.Machine, linked.Token);
            }
            catch (Exception ex) when (IsInterruptedByLifecycle(ex, lease, cancellationToken))
            {
                throw Interrupted(lease, activity);
            }
            catch (MachineException refused)
            {
                throw MachineErrors.Translate(refused, _services.Logger);
            }
        }
        finally
        {
            lease.Exit();
        }
    }

    /// <summary>
    /// Enters the current lease, spawning a VM first when there is none and <paramref name="spawn"/> is set; null when
    /// there is none and it is not. The caller must <see cref="MachineLease.Exit"/> it.
    /// </summary>
    private async Task<MachineLease?> EnterAsync(bool spawn, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            var lease = _lease ?? (spawn ? await SpawnLockedAsync(cancellationToken) : null);
            if (lease is not null && !lease.TryEnter())
                throw new InvalidOperationException("The current lease of a session is never stopped");
            return lease;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private static bool IsInterruptedByLifecycle(Exception exception, MachineLease lease, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && lease.EndReason is not null
        && exception is OperationCanceledException or MachineException { Code: MachineErrorCode.MachineGone };

    private CapsuleException Interrupted(MachineLease lease, string activity) =>
        new(ErrorCode.Conflict,
            $"Session {SessionId}: its VM was {Describe(lease.EndReason!.Value)} while the {activity} was running");
}
