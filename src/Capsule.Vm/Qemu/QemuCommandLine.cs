using System.Globalization;

namespace Capsule.Vm.Qemu;

/// <summary>
/// The QEMU arguments for one machine: q35, the image's kernel and initramfs, a qcow2 overlay over the base disk,
/// a virtio-mem device (plugged to 0 at boot, grown later over QMP), the agent's virtio-serial port and QMP on
/// unix sockets in the machine's folder. One method per concern so snapshot restore can add its own.
/// </summary>
internal sealed record QemuCommandLine
{
    /// <summary>
    /// <c>swiotlb=noforce</c>: maxmem above 4 GiB makes the kernel reserve a 64 MB bounce buffer, which leaves a
    /// 128 MB guest too little to boot; virtio devices do not need it (docs/guest-image.md).
    /// </summary>
    public const string KernelCommandLine =
        "console=ttyS0 quiet panic=-1 tsc=reliable no_timer_check memhp_default_state=online root=/dev/vda rw swiotlb=noforce";

    /// <summary>QOM id of the virtio-mem device: <c>/machine/peripheral/vm0</c>.</summary>
    public const string VirtioMemId = "vm0";

    /// <summary>Name of the virtio-serial port the agent opens.</summary>
    public const string AgentPortName = "org.capsule.agent";

    public required string Accelerator { get; init; }
    public required int VcpuCount { get; init; }
    public required int BaseMemoryMb { get; init; }
    public required int HotplugMemoryMb { get; init; }
    /// <summary>TCG translation-buffer size; 0 leaves QEMU's default.</summary>
    public int TcgTbSizeMb { get; init; }
    public required GuestImage Image { get; init; }
    public required MachineFolder Folder { get; init; }

    public IReadOnlyList<string> Build()
    {
        var args = new List<string>();
        AddMachine(args);
        AddBoot(args);
        AddDisk(args);
        AddHotplugMemory(args);
        AddAgentPort(args);
        AddControl(args);
        return args;
    }

    private void AddMachine(List<string> args)
    {
        args.AddRange(["-M", "q35"]);
        if (Accelerator == AcceleratorDetector.Kvm)
        {
            args.AddRange(["-accel", "kvm", "-cpu", "host"]);
        }
        else
        {
            var tcg = TcgTbSizeMb > 0 ? Invariant($"tcg,thread=multi,tb-size={TcgTbSizeMb}") : "tcg,thread=multi";
            args.AddRange(["-accel", tcg, "-cpu", "max"]);
        }
        args.AddRange(["-smp", Invariant($"{VcpuCount}")]);
        args.AddRange(["-m", Invariant($"{BaseMemoryMb}M,maxmem={BaseMemoryMb + HotplugMemoryMb}M,slots=1")]);
        args.AddRange(["-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"]);
    }

    private void AddBoot(List<string> args)
    {
        args.AddRange(["-kernel", Image.Kernel, "-initrd", Image.Initrd, "-append", KernelCommandLine]);
        args.AddRange(["-serial", $"file:{Folder.ConsoleLog}"]);
    }

    private void AddDisk(List<string> args) =>
        args.AddRange([
            "-drive", $"file={Folder.Disk},format=qcow2,if=none,id=root,cache=unsafe",
            "-device", "virtio-blk-pci,drive=root",
        ]);

    private void AddHotplugMemory(List<string> args) =>
        args.AddRange([
            "-object", Invariant($"memory-backend-ram,id=vmem0,size={HotplugMemoryMb}M,reserve=off"),
            "-device", $"virtio-mem-pci,id={VirtioMemId},memdev=vmem0,requested-size=0,block-size=2M",
            "-device", "virtio-rng-pci",
        ]);

    private void AddAgentPort(List<string> args) =>
        args.AddRange([
            "-device", "virtio-serial-pci",
            "-chardev", $"socket,id=agent,path={Folder.AgentSocket},server=on,wait=off",
            "-device", $"virtserialport,chardev=agent,name={AgentPortName}",
        ]);

    private void AddControl(List<string> args) =>
        args.AddRange(["-qmp", $"unix:{Folder.QmpSocket},server=on,wait=off", "-pidfile", Folder.PidFile]);

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
