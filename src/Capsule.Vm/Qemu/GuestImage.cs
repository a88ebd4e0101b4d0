namespace Capsule.Vm.Qemu;

/// <summary>The guest image folder: kernel, initramfs and the base root disk (raw ext4, never written).</summary>
internal sealed record GuestImage(string Path)
{
    public string Kernel => System.IO.Path.Combine(Path, "vmlinuz");
    public string Initrd => System.IO.Path.Combine(Path, "initrd.img");
    public string RootDisk => System.IO.Path.Combine(Path, "rootfs.ext4");

    /// <summary>
    /// The image folder with symlinks resolved (artifacts/guest points at a cache folder that a rebuild repoints),
    /// so one machine uses one image even if the link changes while it starts.
    /// </summary>
    public static GuestImage Resolve(string imageDirectory)
    {
        var full = System.IO.Path.GetFullPath(imageDirectory);
        var folder = new DirectoryInfo(full);
        var target = folder.Exists ? folder.ResolveLinkTarget(returnFinalTarget: true) : null;
        return new GuestImage(target?.FullName ?? full);
    }

    /// <summary>Throws <see cref="MachineException"/> (<see cref="MachineErrorCode.ImageMissing"/>) naming the missing files.</summary>
    public void EnsureComplete()
    {
        var missing = new[] { Kernel, Initrd, RootDisk }.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
            throw new MachineException(MachineErrorCode.ImageMissing, $"The guest image is incomplete; missing: {string.Join(", ", missing)}.");
    }
}
