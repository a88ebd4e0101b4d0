using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;

namespace Capsule.Vm.Machines;

/// <summary>
/// What every machine of this host has in common (accelerator, memory layout, TCG buffer, the versioned machine type):
/// the arguments that build a snapshot and the ones that restore it come from here, so they cannot drift apart.
/// </summary>
internal sealed record MachineShape(string Accelerator, int BaseMemoryMb, int HotplugMemoryMb, int TcgTbSizeMb, string MachineType = VmOptions.DefaultMachineType)
{
    public static MachineShape From(VmOptions options, string accelerator) =>
        new(accelerator, options.BaseMemoryMb, options.HotplugMemoryMb, options.TcgTbSizeMb, options.MachineType);

    /// <summary>Boots <c>snap{vcpuCount}</c> from the image: kernel and initramfs, guest RAM written through to the snapshot's RAM file.</summary>
    public QemuCommandLine ForBuild(int vcpuCount, GuestImage image, SnapshotFiles files, MachineFolder folder) => new()
    {
        Accelerator = Accelerator,
        MachineType = MachineType,
        VcpuCount = vcpuCount,
        BaseMemoryMb = BaseMemoryMb,
        HotplugMemoryMb = HotplugMemoryMb,
        TcgTbSizeMb = TcgTbSizeMb,
        KernelPath = image.Kernel,
        InitrdPath = image.Initrd,
        DiskPath = files.Disk,
        RamFile = files.Ram,
        ShareRam = true,
        Folder = folder,
    };

    /// <summary>Restores <paramref name="snapshot"/> into <paramref name="folder"/>: its RAM file copy-on-write, the machine's own disk overlay.</summary>
    public QemuCommandLine ForRestore(Snapshot snapshot, MachineFolder folder) => new()
    {
        Accelerator = Accelerator,
        MachineType = MachineType,
        VcpuCount = snapshot.Meta.VcpuCount,
        BaseMemoryMb = BaseMemoryMb,
        HotplugMemoryMb = HotplugMemoryMb,
        TcgTbSizeMb = TcgTbSizeMb,
        KernelPath = snapshot.Files.KernelStub,
        DiskPath = folder.Disk,
        RamFile = snapshot.Files.Ram,
        ShareRam = false,
        Incoming = true,
        Folder = folder,
    };

    /// <summary>The build arguments with placeholders for paths and vCPUs (<see cref="QemuCommandLine.Shape"/>).</summary>
    public string Describe() =>
        ForBuild(0, new GuestImage("<image>"), new SnapshotFiles("<snapshot>"), new MachineFolder("<run>")).Shape();
}
