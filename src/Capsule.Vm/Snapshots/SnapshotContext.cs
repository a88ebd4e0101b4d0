using Capsule.Vm.Machines;

namespace Capsule.Vm.Snapshots;

/// <summary>The current snapshot key and what it was computed from; snapshots live in <see cref="KeyDirectory"/>.</summary>
internal sealed record SnapshotContext(GuestImage Image, string ImageKey, string QemuVersion, MachineShape Shape, string Key, string KeyDirectory)
{
    public SnapshotFiles Files(int vcpuCount) => new(Path.Combine(KeyDirectory, SnapshotFiles.FolderName(vcpuCount)));

    /// <summary>Held shared (flock LOCK_SH) by every process that restores this key's snapshots; a stale-key sweep skips a held key.</summary>
    public string InUseLockFile => Path.Combine(KeyDirectory, "in-use.lock");

    public string LockFile(int vcpuCount) => Path.Combine(KeyDirectory, SnapshotFiles.FolderName(vcpuCount) + ".lock");
}
