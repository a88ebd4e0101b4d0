using Capsule.Vm.Network;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;

namespace Capsule.Vm.Machines;

/// <summary>Everything <see cref="QemuMachine.RestoreAsync"/> needs to bring a machine back from a snapshot, paused.</summary>
internal sealed record MachineRestore
{
    public required string QemuBinary { get; init; }
    public required string QemuImgBinary { get; init; }
    public required Snapshot Snapshot { get; init; }
    /// <summary>The snapshot's arguments with this machine's folder, disk, <c>share=off</c> and <c>-incoming defer</c>.</summary>
    public required QemuCommandLine CommandLine { get; init; }
    /// <summary>Where the machine gets its network slot; null: no slot (the NIC stays on a black hole).</summary>
    public NetworkSlots? Slots { get; init; }
    /// <summary>Bounds the restore: disk, spawn, QMP and loading the device state.</summary>
    public required TimeSpan Timeout { get; init; }
}
