namespace Capsule.Vm;

/// <summary>
/// The machine shapes this host runs, derived from <see cref="VmOptions"/>: the one source that request validation,
/// the OpenAPI document and <c>/health</c> read, so a request within them never meets a refusal of the VM layer's own.
/// </summary>
public sealed record MachineLimits
{
    /// <summary>The most memory a session may ask for, whatever the hot-plug room (InstaVM's limit).</summary>
    public const int ProductMaxMemoryMb = 8192;

    /// <summary>The least <c>memory_mb</c>: the machines' base memory.</summary>
    public required int MinMemoryMb { get; init; }

    /// <summary>The most <c>memory_mb</c>: base plus hot-plug room, at most <see cref="ProductMaxMemoryMb"/>, even.</summary>
    public required int MaxMemoryMb { get; init; }

    /// <summary>The vCPU counts there are snapshots for.</summary>
    public required IReadOnlyList<int> VcpuCounts { get; init; }

    internal static MachineLimits For(VmOptions options)
    {
        var max = Math.Min(ProductMaxMemoryMb, options.BaseMemoryMb + options.HotplugMemoryMb);
        return new MachineLimits { MinMemoryMb = options.BaseMemoryMb, MaxMemoryMb = max - max % 2, VcpuCounts = VmOptions.VcpuCounts };
    }

    /// <summary>True when <paramref name="spec"/> has a shape this host runs.</summary>
    public bool Allows(MachineSpec spec) =>
        VcpuCounts.Contains(spec.VcpuCount) && spec.MemoryMb >= MinMemoryMb && spec.MemoryMb <= MaxMemoryMb;
}
