namespace Capsule.Vm;

/// <summary>
/// This host's machine limits and how much of them is used, for <c>GET /health</c> and for refusals. Memory is what
/// machines were given (memory_mb; pooled machines at their base memory), not what they touched.
/// </summary>
public sealed record CapacityInfo
{
    /// <summary>What a host without limits reports (test doubles).</summary>
    public static readonly CapacityInfo Unlimited = new()
    {
        MaxMachines = int.MaxValue,
        Machines = 0,
        PooledMachines = 0,
        MemoryOvercommitRatio = 0,
        HostMemoryTotalMb = 0,
        MemoryLimitMb = long.MaxValue,
        MemoryCommittedMb = 0,
        HostMemoryAvailableMb = 0,
        MinHostAvailableMemoryMb = 0,
        WarmPools = [],
    };

    /// <summary><see cref="VmOptions.MaxMachines"/>.</summary>
    public required int MaxMachines { get; init; }
    /// <summary>Machines alive or starting, pooled ones included.</summary>
    public required int Machines { get; init; }
    /// <summary>Restored, paused machines waiting in the warm pool.</summary>
    public required int PooledMachines { get; init; }
    public required double MemoryOvercommitRatio { get; init; }
    /// <summary>MemTotal of /proc/meminfo.</summary>
    public required long HostMemoryTotalMb { get; init; }
    /// <summary><see cref="MemoryOvercommitRatio"/> times <see cref="HostMemoryTotalMb"/>.</summary>
    public required long MemoryLimitMb { get; init; }
    /// <summary>The memory of every machine counted in <see cref="Machines"/>.</summary>
    public required long MemoryCommittedMb { get; init; }
    /// <summary>MemAvailable of /proc/meminfo.</summary>
    public required long HostMemoryAvailableMb { get; init; }
    /// <summary><see cref="VmOptions.MinHostAvailableMemoryMb"/>.</summary>
    public required int MinHostAvailableMemoryMb { get; init; }
    /// <summary>Each warm pool: its vCPU count, paused machines ready now, and how many it keeps.</summary>
    public required IReadOnlyList<WarmPoolInfo> WarmPools { get; init; }
}

/// <summary>One warm pool's fill level.</summary>
public sealed record WarmPoolInfo(int VcpuCount, int Ready, int Target);
