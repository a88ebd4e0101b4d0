using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// What a session may ask for: its lifetime (a control-plane rule, InstaVM's) and its machine's shape (the VM layer's
/// <see cref="MachineLimits"/>, as configured). Request validation and the OpenAPI document read these; nothing else
/// writes the numbers.
/// </summary>
internal sealed record SessionLimits
{
    public const int MinLifetimeSeconds = 20;

    /// <summary>The 24 h cap on a VM's lifetime, counted from its spawn (InstaVM's limit).</summary>
    public const int MaxLifetimeSeconds = 86400;

    public const int DefaultLifetimeSeconds = 300;
    public const int DefaultMemoryMb = 512;
    public const int DefaultVcpuCount = 2;

    public required int MinMemoryMb { get; init; }
    public required int MaxMemoryMb { get; init; }
    public required IReadOnlyList<int> VcpuCounts { get; init; }

    public static SessionLimits From(MachineLimits machines) => new()
    {
        MinMemoryMb = machines.MinMemoryMb,
        MaxMemoryMb = machines.MaxMemoryMb,
        VcpuCounts = machines.VcpuCounts,
    };
}
