namespace Capsule.Vm;

/// <summary>How machines are run on this host. Bound from the "Capsule:Vm" config section.</summary>
internal sealed class VmOptions
{
    public const string SectionName = "Capsule:Vm";

    /// <summary>The vCPU counts a machine can have; one snapshot (<c>snap{N}</c>) per count.</summary>
    public static readonly IReadOnlyList<int> VcpuCounts = [1, 2, 4, 6, 8];

    /// <summary>Folder with vmlinuz, initrd.img, rootfs.ext4 (the base disk, never written) and manifest.json.</summary>
    public string ImageDirectory { get; set; } = "artifacts/guest";

    /// <summary>Parent of one folder per machine (sockets, overlay disk, logs). Wiped of leftovers at startup.</summary>
    public string RunDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "capsule", "run");

    /// <summary>
    /// Parent of one folder per snapshot key, each holding <c>snap1</c> ... <c>snap8</c>. On tmpfs (the default) the
    /// snapshots' RAM files are page cache that every restored machine maps copy-on-write.
    /// </summary>
    public string SnapshotDirectory { get; set; } = "/dev/shm/capsule/snapshots";

    public string QemuBinary { get; set; } = "qemu-system-x86_64";

    public string QemuImgBinary { get; set; } = "qemu-img";

    /// <summary>"auto" (detect), "kvm" or "tcg".</summary>
    public string Accelerator { get; set; } = "auto";

    /// <summary>Memory the guest boots with (and the snapshots hold); the rest of a machine's memory is plugged with virtio-mem.</summary>
    public int BaseMemoryMb { get; set; } = 128;

    /// <summary>Most memory virtio-mem can plug on top of <see cref="BaseMemoryMb"/>.</summary>
    public int HotplugMemoryMb { get; set; } = 8192;

    /// <summary>
    /// TCG translation-buffer size per machine; 0 leaves QEMU's default (which is large). It caps what a busy machine
    /// spends on translated code; smaller saves host memory and costs guest speed (docs/snapshots.md has numbers).
    /// </summary>
    public int TcgTbSizeMb { get; set; } = 32;

    /// <summary>The machine type QEMU's <c>-M</c> gets unless configured otherwise.</summary>
    public const string DefaultMachineType = "pc-q35-7.2";

    /// <summary>
    /// A versioned q35 machine type (<c>pc-q35-X.Y</c>), never the bare alias <c>q35</c>, which each QEMU release points
    /// at its own newest type: a snapshot saved under one machine type restores only under the same one, so an upgraded
    /// QEMU must keep giving the machine the snapshot was made of. Part of the snapshot key (docs/snapshots.md).
    /// </summary>
    public string MachineType { get; set; } = DefaultMachineType;

    /// <summary>How long a snapshot build may take from spawn to an answering agent (a cold boot).</summary>
    public TimeSpan BootTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>How long a restore or a hand-over from the pool may take until the agent answers.</summary>
    public TimeSpan RestoreTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A running machine whose agent has sent nothing for this long is pinged (the health probe). Paused machines in the
    /// warm pool are not probed.
    /// </summary>
    public TimeSpan HealthProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A machine whose agent does not answer a health probe within this long is ended as crashed. Generous on purpose:
    /// the agent answers while it runs code, but a TCG guest on a loaded host can be slow, and a false alarm kills a session.
    /// </summary>
    public TimeSpan HealthProbeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An upload or download that waits this long on the guest for its next part is stopped (the session stays up);
    /// time spent waiting on the client does not count.
    /// </summary>
    public TimeSpan FileIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Machines this host runs at once, pooled ones included; starts beyond it are refused.</summary>
    public int MaxMachines { get; set; } = 16;

    /// <summary>
    /// The sum of the memory of all machines (pooled ones at their base memory) may reach this many times the host's
    /// MemTotal. Guest memory is only backed when the guest touches it, so some overcommit is safe.
    /// </summary>
    public double MemoryOvercommitRatio { get; set; } = 2.0;

    /// <summary>A start is refused when it would leave the host's MemAvailable below this.</summary>
    public int MinHostAvailableMemoryMb { get; set; } = 1024;

    /// <summary>Restored, paused machines kept ready per pooled snapshot; 0 turns the pool off.</summary>
    public int WarmPoolSize { get; set; } = 2;

    /// <summary>
    /// The vCPU counts whose snapshots get a warm pool, comma-separated (e.g. "2" or "1,2"). A string, not a list:
    /// the configuration binder appends to a list's defaults instead of replacing them.
    /// </summary>
    public string WarmPoolVcpus { get; set; } = "2";

    /// <summary>
    /// Most a machine's disk overlay (its writes to the root disk) may grow to. The guest's own bound is the free space
    /// of the image's ext4 (set at image build); this is the host's. A machine over it is stopped (docs/snapshots.md).
    /// </summary>
    public int DiskQuotaMb { get; set; } = 2048;

    /// <summary>
    /// Also reseed with a python exec at hand-over (Python's <c>random</c> too, if imported). Off by default: the agent
    /// mixes each connection's 32-byte random handshake nonce into the guest CRNG and reseeds it itself, which is what
    /// keeps machines restored from one snapshot from sharing random numbers; this costs one exec (~0.1 s on TCG).
    /// </summary>
    public bool ReseedGuestEntropy { get; set; }

    /// <summary><see cref="WarmPoolVcpus"/> parsed; invalid entries are reported by the validator.</summary>
    public IReadOnlyList<int> PooledVcpuCounts =>
        [.. WarmPoolVcpus.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0)
            .Distinct()];
}
