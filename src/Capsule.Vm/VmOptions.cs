namespace Capsule.Vm;

/// <summary>How machines are run on this host. Bound from the "Capsule:Vm" config section.</summary>
internal sealed class VmOptions
{
    public const string SectionName = "Capsule:Vm";

    /// <summary>Folder with vmlinuz, initrd.img and rootfs.ext4 (the base disk, never written).</summary>
    public string ImageDirectory { get; set; } = "artifacts/guest";

    /// <summary>Parent of one folder per machine (sockets, overlay disk, logs). Wiped of leftovers at startup.</summary>
    public string RunDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "capsule", "run");

    public string QemuBinary { get; set; } = "qemu-system-x86_64";

    public string QemuImgBinary { get; set; } = "qemu-img";

    /// <summary>"auto" (detect), "kvm" or "tcg".</summary>
    public string Accelerator { get; set; } = "auto";

    /// <summary>Memory the guest boots with; the rest of a machine's memory is plugged with virtio-mem.</summary>
    public int BaseMemoryMb { get; set; } = 128;

    /// <summary>Most memory virtio-mem can plug on top of <see cref="BaseMemoryMb"/>.</summary>
    public int HotplugMemoryMb { get; set; } = 8192;

    /// <summary>TCG translation-buffer size per machine; 0 leaves QEMU's default (which is large).</summary>
    public int TcgTbSizeMb { get; set; } = 64;

    /// <summary>How long a machine may take from spawn to an answering agent.</summary>
    public TimeSpan BootTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>Machines this host runs at once; starts beyond it are refused.</summary>
    public int MaxMachines { get; set; } = 16;
}
