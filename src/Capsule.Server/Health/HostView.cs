using System.Reflection;
using Capsule.Server.Api.Responses;
using Capsule.Server.Sessions;
using Capsule.Vm;

namespace Capsule.Server.Health;

/// <summary>
/// The host as it is now: which accelerator VMs run on, how busy it is, its limits and warm pools. What <c>/health</c>
/// answers and the dashboard's host page shows; the one place that reads them from the VM layer.
/// </summary>
internal sealed class HostView(IMachineHost machines, SessionRegistry registry, MachineCounter counter)
{
    private static readonly string Version =
        typeof(HostView).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(HostView).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    public HealthResponse Now()
    {
        var capacity = machines.Capacity;
        return new HealthResponse(
            Status: "ok",
            Version: Version,
            Accelerator: machines.Accelerator.Name,
            AcceleratorReason: machines.Accelerator.Reason,
            Network: machines.Network.Slots,
            NetworkReason: machines.Network.Reason,
            SessionsActive: registry.ActiveSessions,
            MachinesRunning: counter.Running,
            Capacity: new HealthCapacity(
                capacity.MaxMachines,
                capacity.Machines,
                capacity.PooledMachines,
                capacity.MemoryOvercommitRatio,
                capacity.HostMemoryTotalMb,
                capacity.MemoryLimitMb,
                capacity.MemoryCommittedMb,
                capacity.HostMemoryAvailableMb,
                capacity.MinHostAvailableMemoryMb),
            WarmPool: [.. capacity.WarmPools.Select(p => new HealthWarmPool(p.VcpuCount, p.Ready, p.Target))]);
    }
}
