using Capsule.Vm.Agent;

namespace Capsule.Vm.Machines;

/// <summary>What <see cref="QemuMachine.HandOverAsync"/> does to a restored, paused machine before its owner gets it.</summary>
internal sealed record HandOver
{
    /// <summary>Total guest memory wanted; what exceeds the base is plugged with virtio-mem.</summary>
    public required int MemoryMb { get; init; }
    public required IReadOnlyDictionary<string, string> Env { get; init; }
    /// <summary>What the guest may reach (applied to its network slot, when it has one, before the owner gets it).</summary>
    public required EgressRules Egress { get; init; }
    /// <summary>Reseed the guest's RNG and Python's <c>random</c> (see <see cref="VmOptions.ReseedGuestEntropy"/>).</summary>
    public required bool Reseed { get; init; }
    /// <summary>Stop the machine when its disk overlay grows beyond this many bytes.</summary>
    public required long DiskQuotaBytes { get; init; }
    /// <summary>How the agent is health-probed once the machine is handed over.</summary>
    public required HealthProbeSettings HealthProbe { get; init; }
    /// <summary>How long an upload or download may wait on the guest for its next part (<see cref="VmOptions.FileIdleTimeout"/>).</summary>
    public required TimeSpan FileIdleTimeout { get; init; }
    /// <summary>Bounds resume, agent handshake, reseed and env (the memory plug may finish later).</summary>
    public required TimeSpan Timeout { get; init; }
}
