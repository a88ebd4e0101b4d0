using System.Globalization;

namespace Capsule.Vm.Qemu;

/// <summary>
/// The QEMU arguments for one machine: q35 (a versioned type, <see cref="MachineType"/>) with its base RAM in a file (<c>memory-backend-file</c>), a kernel, a
/// qcow2 root disk, a virtio-mem device (plugged to 0, grown later over QMP), the agent's virtio-serial port and QMP on
/// unix sockets in the machine's folder. A snapshot build and every restore of it use the same arguments except for
/// host-side paths (sockets, disk, logs, kernel file), <c>share</c> of the RAM file and <c>-incoming</c>: device ids and
/// order are part of the migrated state and must not differ.
/// Every machine has one virtio-net NIC with a fixed MAC (<see cref="GuestMac"/>), so every template and every clone has
/// the same network device and the same guest address (docs/network.md); its backend is a hub port with nothing else on
/// the hub, so no frame leaves the machine. Least privilege: no other device that reaches the host, QEMU's
/// seccomp sandbox with every optional deny (<see cref="Sandbox"/>), and the serial console on a unix socket the host
/// reads into a small ring (<see cref="GuestConsole"/>) rather than a file a guest could grow without bound.
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

    /// <summary>The guest NIC's MAC, the same in every machine (locally administered: 02:…).</summary>
    public const string GuestMac = "02:ca:75:00:00:02";

    /// <summary>Id of the base RAM backend; it names the RAM block in the migration stream.</summary>
    public const string RamBackendId = "ram0";

    /// <summary>
    /// QEMU's seccomp filter: no obsolete system calls, no setuid/setgid, no fork/exec (which is why snapshots migrate
    /// over a socket, not <c>exec:</c>), no scheduler or CPU-affinity changes.
    /// </summary>
    public const string Sandbox = "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

    public required string Accelerator { get; init; }
    /// <summary>A versioned q35 type such as <c>pc-q35-7.2</c> (<see cref="VmOptions.MachineType"/>).</summary>
    public required string MachineType { get; init; }
    public required int VcpuCount { get; init; }
    public required int BaseMemoryMb { get; init; }
    public required int HotplugMemoryMb { get; init; }
    /// <summary>TCG translation-buffer size; 0 leaves QEMU's default.</summary>
    public int TcgTbSizeMb { get; init; }
    /// <summary>The bzImage QEMU loads (a restore passes a small stub: the guest is already booted).</summary>
    public required string KernelPath { get; init; }
    /// <summary>The initramfs, or null (a restore needs none).</summary>
    public string? InitrdPath { get; init; }
    /// <summary>The qcow2 root disk the guest writes to.</summary>
    public required string DiskPath { get; init; }
    /// <summary>The file that backs base RAM: a snapshot's RAM file.</summary>
    public required string RamFile { get; init; }
    /// <summary>
    /// True: guest writes go to the file (MAP_SHARED; a snapshot build). False: the file is mapped copy-on-write
    /// (MAP_PRIVATE; a restore), so it is never modified and its unwritten pages are shared by every machine.
    /// </summary>
    public required bool ShareRam { get; init; }
    /// <summary>Start waiting for an incoming migration (<c>-incoming defer</c>) instead of booting.</summary>
    public bool Incoming { get; init; }
    public required MachineFolder Folder { get; init; }
    /// <summary>
    /// The network namespace (a slot, docs/network.md) QEMU runs in, whose <c>tap0</c> backs the NIC; null: the NIC is
    /// on a hub port with nothing else on the hub. Host-side only: not part of the shape.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    public IReadOnlyList<string> Build()
    {
        var args = new List<string>();
        AddMachine(args);
        AddBoot(args);
        AddDisk(args);
        AddHotplugMemory(args);
        AddAgentPort(args);
        AddNetwork(args);
        AddControl(args);
        return args;
    }

    /// <summary>
    /// The arguments with every host-side path replaced by a placeholder and the vCPU count left out: what makes
    /// snapshots of one key interchangeable (part of the snapshot key).
    /// </summary>
    public string Shape() =>
        string.Join('\u001f', (this with
        {
            VcpuCount = 0,
            KernelPath = "<kernel>",
            InitrdPath = InitrdPath is null ? null : "<initrd>",
            DiskPath = "<disk>",
            RamFile = "<ram>",
            ShareRam = true,
            Incoming = false,
            Folder = new MachineFolder("<run>"),
            NetworkNamespace = null,
        }).Build());

    private void AddMachine(List<string> args)
    {
        args.AddRange(["-M", $"{MachineType},memory-backend={RamBackendId}"]);
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
        var share = ShareRam ? "on" : "off";
        args.AddRange(["-object", Invariant($"memory-backend-file,id={RamBackendId},size={BaseMemoryMb}M,mem-path={RamFile},share={share}")]);
        args.AddRange(["-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"]);
        args.AddRange(["-sandbox", Sandbox]);
    }

    private void AddBoot(List<string> args)
    {
        args.AddRange(["-kernel", KernelPath]);
        if (InitrdPath is not null)
            args.AddRange(["-initrd", InitrdPath]);
        args.AddRange(["-append", KernelCommandLine]);
        args.AddRange(["-chardev", $"socket,id=console,path={Folder.ConsoleSocket},server=on,wait=off", "-serial", "chardev:console"]);
    }

    private void AddDisk(List<string> args) =>
        args.AddRange([
            "-drive", $"file={DiskPath},format=qcow2,if=none,id=root,cache=unsafe",
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

    /// <summary>
    /// The guest NIC. Its backend is host-side only (not part of the migrated state): the slot's <c>tap0</c> when QEMU
    /// runs in a slot, otherwise a hub port on a hub with no other port, a black hole. Offloads are off on the device
    /// so its features (and so the migrated state) do not depend on which backend it has.
    /// </summary>
    private void AddNetwork(List<string> args) =>
        args.AddRange([
            "-netdev", NetworkNamespace is null ? "hubport,id=net0,hubid=0" : "tap,id=net0,ifname=tap0,script=no,downscript=no,vhost=off",
            "-device", $"virtio-net-pci,id=nic0,netdev=net0,mac={GuestMac},mq=off,csum=off,guest_csum=off,gso=off,host_tso4=off,host_tso6=off,host_ecn=off,host_ufo=off,guest_tso4=off,guest_tso6=off,guest_ecn=off,guest_ufo=off",
        ]);

    private void AddControl(List<string> args)
    {
        args.AddRange(["-qmp", $"unix:{Folder.QmpSocket},server=on,wait=off", "-pidfile", Folder.PidFile]);
        if (Incoming)
            args.AddRange(["-incoming", "defer"]);
    }

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
