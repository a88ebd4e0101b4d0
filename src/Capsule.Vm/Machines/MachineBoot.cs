using Capsule.Vm.Qemu;

namespace Capsule.Vm.Machines;

/// <summary>Everything <see cref="QemuMachine.BootAsync"/> needs to cold-boot one machine (the snapshot builder's boot).</summary>
internal sealed record MachineBoot
{
    public required string QemuBinary { get; init; }
    public required string QemuImgBinary { get; init; }
    public required QemuCommandLine CommandLine { get; init; }
    /// <summary>The raw base disk the machine's qcow2 (<see cref="QemuCommandLine.DiskPath"/>) is created over.</summary>
    public required string DiskBacking { get; init; }
    /// <summary>Bounds the whole boot: disk, spawn, QMP and the agent handshake.</summary>
    public required TimeSpan Timeout { get; init; }
}
