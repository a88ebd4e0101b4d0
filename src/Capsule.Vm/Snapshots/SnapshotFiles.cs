namespace Capsule.Vm.Snapshots;

/// <summary>
/// The files of one snapshot folder, <c>&lt;SnapshotDirectory&gt;/&lt;key&gt;/snap&lt;N&gt;/</c> (or the temp folder it is
/// built in). <see cref="Meta"/> is written last: a folder without it is incomplete.
/// </summary>
internal sealed record SnapshotFiles(string Path)
{
    /// <summary>Guest base RAM. Written through MAP_SHARED while building; every restore maps it MAP_PRIVATE (copy-on-write).</summary>
    public string Ram => Combine("ram");

    /// <summary>The device state QEMU saved (RAM excluded: x-ignore-shared).</summary>
    public string State => Combine("state");

    /// <summary>The root disk as the guest left it: a qcow2 over the image's rootfs.ext4, backing every session's overlay.</summary>
    public string Disk => Combine("disk.qcow2");

    /// <summary>A bzImage cut down to its headers: QEMU needs a kernel to load at restore, the guest no longer does.</summary>
    public string KernelStub => Combine("vmlinuz.stub");

    /// <summary>The last 16 KiB of the serial console of the build's boot, for diagnosis.</summary>
    public string ConsoleLog => Combine("console.log");

    public string Meta => Combine("meta.json");

    /// <summary>The files a usable snapshot has, meta.json last.</summary>
    public IEnumerable<string> Required => [Ram, State, Disk, KernelStub, Meta];

    public static string FolderName(int vcpuCount) => $"snap{vcpuCount}";

    private string Combine(string name) => System.IO.Path.Combine(Path, name);
}
