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
    /// <summary>The server stopped (or crashed) while the VM ran.</summary>
    HostLost,
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
        VmState.HostLost => "host_lost",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown VM state"),
    };

    public static VmState Parse(string name) => name switch
    {
        "active" => VmState.Active,
        "killed" => VmState.Killed,
        "expired" => VmState.Expired,
        "crashed" => VmState.Crashed,
        "host_lost" => VmState.HostLost,
        _ => throw new FormatException($"Unknown VM state '{name}' in the database"),
    };
}
