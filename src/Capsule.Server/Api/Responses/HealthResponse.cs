namespace Capsule.Server.Api.Responses;

/// <summary><c>GET /health</c>: liveness plus what an operator wants at a glance.</summary>
internal sealed record HealthResponse(
    string Status,
    string Version,
    string Accelerator,
    string AcceleratorReason,
    bool Network,
    string NetworkReason,
    int SessionsActive,
    int MachinesRunning,
    HealthCapacity Capacity,
    IReadOnlyList<HealthWarmPool> WarmPool);

/// <summary>The host's limits (configurable under Capsule:Vm) and their use now; creates beyond them get 503.</summary>
internal sealed record HealthCapacity(
    int MaxMachines,
    int Machines,
    int PooledMachines,
    double MemoryOvercommitRatio,
    long HostMemoryTotalMb,
    long MemoryLimitMb,
    long MemoryCommittedMb,
    long HostMemoryAvailableMb,
    int MinHostAvailableMemoryMb);

/// <summary>One warm pool: restored, paused machines of one vCPU count ready to hand over, and its target size.</summary>
internal sealed record HealthWarmPool(int VcpuCount, int Ready, int Target);
