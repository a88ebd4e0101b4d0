namespace Capsule.Vm.Qemu;

/// <summary>Everything <see cref="QemuMachine.BootAsync"/> needs to bring one machine up.</summary>
internal sealed record MachineBoot
{
    public required string QemuBinary { get; init; }
    public required string QemuImgBinary { get; init; }
    public required QemuCommandLine CommandLine { get; init; }
    /// <summary>Total guest memory wanted; what exceeds the base is plugged with virtio-mem.</summary>
    public required int MemoryMb { get; init; }
    public required IReadOnlyDictionary<string, string> Env { get; init; }
    /// <summary>Bounds the whole boot: spawn, QMP, agent handshake, memory plug and env.</summary>
    public required TimeSpan Timeout { get; init; }
}
