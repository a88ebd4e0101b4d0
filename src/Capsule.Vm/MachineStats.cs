namespace Capsule.Vm;

/// <summary>Guest counters at one moment.</summary>
public sealed record MachineStats
{
    public required long MemTotalMb { get; init; }
    public required long MemUsedMb { get; init; }
    public required TimeSpan CpuTime { get; init; }
    public required TimeSpan Uptime { get; init; }
}

/// <summary>Why a machine stopped.</summary>
public sealed record MachineExit(MachineExitReason Reason, string Detail);

public enum MachineExitReason
{
    /// <summary>Its owner disposed it.</summary>
    Destroyed,
    /// <summary>
    /// QEMU exited or the guest died on its own: a kernel panic, an agent that stopped answering its health probe,
    /// broke the protocol or closed its port. <see cref="MachineExit.Detail"/> says which.
    /// </summary>
    Crashed,
    /// <summary>The guest ran out of memory and its kernel gave up (an OOM panic), as its console showed.</summary>
    Oom,
}

/// <summary>The accelerator chosen for this host and the reason, for logs and /health.</summary>
public sealed record AcceleratorInfo(string Name, string Reason);

/// <summary>Whether machines get a fail-closed network slot each (guest ports reachable through the host), and why.</summary>
public sealed record NetworkInfo(bool Slots, string Reason);
