using System.Diagnostics.Metrics;
using Capsule.Server.Sessions;

namespace Capsule.Server.Metrics;

/// <summary>
/// The observable instruments: read at each scrape from state the server already keeps (the session registry, the
/// machine counter, the VM layer's capacity report through <see cref="HostReadings"/>). Created once when metrics are
/// on; they live as long as <see cref="CapsuleMetrics.Meter"/>.
/// </summary>
internal sealed class CapsuleGauges
{
    public CapsuleGauges(CapsuleMetrics metrics, SessionRegistry registry, MachineCounter machines, HostReadings host)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge("capsule_sessions", () => Sessions(registry), "{session}",
            "Sessions in memory: active (a VM runs) or idle (no VM yet, or it ended; dropped from memory within a minute)");
        meter.CreateObservableGauge("capsule_machines_running", () => machines.Running, "{machine}",
            "Session VMs this server holds (started and not yet destroyed)");
        meter.CreateObservableGauge("capsule_warm_pool_ready",
            () => host.Read().WarmPools.Select(p => new Measurement<int>(p.Ready, Vcpus(p))), "{machine}",
            "Restored, paused machines waiting in the warm pool, per vCPU count");
        meter.CreateObservableGauge("capsule_warm_pool_target",
            () => host.Read().WarmPools.Select(p => new Measurement<int>(p.Target, Vcpus(p))), "{machine}",
            "How many machines the warm pool keeps ready, per vCPU count");
        meter.CreateObservableGauge("capsule_host_memory_committed", () => host.Read().MemoryCommittedBytes, "By",
            "Memory of every machine alive or starting, pooled ones included");
        meter.CreateObservableGauge("capsule_host_memory_available", () => host.Read().MemoryAvailableBytes, "By",
            "The host's MemAvailable");
        meter.CreateObservableCounter("capsule_egress_denied", () => EgressDenied(host.ReadEgressDenials()), "{attempt}",
            "Guest connections the egress proxy refused (kind=connection) and DNS lookups the resolver refused (kind=lookup)");
    }

    private static Measurement<int>[] Sessions(SessionRegistry registry)
    {
        var active = registry.ActiveSessions;
        var idle = Math.Max(0, registry.LoadedActors - active);
        return [new(active, new KeyValuePair<string, object?>("state", "active")), new(idle, new KeyValuePair<string, object?>("state", "idle"))];
    }

    private static Measurement<long>[] EgressDenied(EgressDenialReading denials) =>
    [
        new(denials.Connections, new KeyValuePair<string, object?>("kind", "connection")),
        new(denials.Lookups, new KeyValuePair<string, object?>("kind", "lookup")),
    ];

    private static KeyValuePair<string, object?> Vcpus(WarmPoolReading pool) => new("vcpus", pool.VcpuCount);
}
