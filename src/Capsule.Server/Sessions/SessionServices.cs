using Capsule.Server.Egress;
using Capsule.Server.Metrics;
using Capsule.Server.RateLimiting;
using Capsule.Server.Store;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>What every <see cref="SessionActor"/> needs from the host; one shared instance.</summary>
internal sealed class SessionServices(
    IMachineHost machines,
    ISessionStore store,
    TimeProvider time,
    MachineCounter counter,
    KeyQuotas quotas,
    SessionEgress egress,
    CapsuleMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<SessionActor> logger)
{
    public IMachineHost Machines { get; } = machines;
    public ISessionStore Store { get; } = store;
    public TimeProvider Time { get; } = time;
    public MachineCounter Counter { get; } = counter;
    public KeyQuotas Quotas { get; } = quotas;
    public SessionEgress Egress { get; } = egress;
    public CapsuleMetrics Metrics { get; } = metrics;
    public IHostApplicationLifetime Lifetime { get; } = lifetime;
    public ILogger<SessionActor> Logger { get; } = logger;

    /// <summary>How long a lifecycle operation waits for cancelled executions before destroying the VM anyway.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Slack on top of an execution's own timeout before the host gives up on the guest.</summary>
    public TimeSpan ExecGrace { get; init; } = TimeSpan.FromSeconds(30);
}
