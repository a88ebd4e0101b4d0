namespace Capsule.Vm;

/// <summary>The shape of a machine to start.</summary>
public sealed record MachineSpec
{
    public required int VcpuCount { get; init; }
    public required int MemoryMb { get; init; }
    /// <summary>Env vars applied before the machine is handed over; may be empty.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>What the guest may reach, in force before the machine is handed over.</summary>
    public EgressRules Egress { get; init; } = EgressRules.DenyAll;
}
