namespace Capsule.Server.Store;

/// <summary>What became of a session's latest VM. A session that never spawned one has none.</summary>
internal enum VmState
{
    Active,
    /// <summary>Ended by <c>POST /kill</c>.</summary>
    Killed,
    /// <summary>Ended at <c>spawned_at + vm_lifetime_seconds</c>.</summary>
    Expired,
    /// <summary>QEMU or the guest died on its own.</summary>
    Crashed,
    /// <summary>The guest ran out of memory and its kernel gave up.</summary>
    Oom,
    /// <summary>The server stopped while the VM ran (a graceful shutdown destroys it).</summary>
    HostLost,
    /// <summary>The server was killed or crashed while the VM ran; found at the next start and cleaned up.</summary>
    HostRestart,
}

internal static class VmStateNames
{
    /// <summary>The wire and database name, e.g. <c>"host_lost"</c>.</summary>
    public static string ToWire(this VmState state) => state switch
    {
        VmState.Active => "active",
        VmState.Killed => "killed",
        VmState.Expired => "expired",
        VmState.Crashed => "crashed",
        VmState.Oom => "oom",
        VmState.HostLost => "host_lost",
        VmState.HostRestart => "host_restart",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown VM state"),
    };

    public static VmState Parse(string name) => name switch
    {
        "active" => VmState.Active,
        "killed" => VmState.Killed,
        "expired" => VmState.Expired,
        "crashed" => VmState.Crashed,
        "oom" => VmState.Oom,
        "host_lost" => VmState.HostLost,
        "host_restart" => VmState.HostRestart,
        _ => throw new FormatException($"Unknown VM state '{name}' in the database"),
    };
}
