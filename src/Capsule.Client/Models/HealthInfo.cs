namespace Capsule.Client;

/// <summary>The server's health (no API key needed).</summary>
public sealed record HealthInfo
{
    /// <summary><c>ok</c> when the server is up.</summary>
    public required string Status { get; init; }

    /// <summary>The server's version.</summary>
    public required string Version { get; init; }

    /// <summary>What VMs run on: <c>kvm</c> or <c>tcg</c> (emulation, much slower).</summary>
    public required string Accelerator { get; init; }

    /// <summary>Why that accelerator was chosen.</summary>
    public required string AcceleratorReason { get; init; }

    /// <summary>Sessions not yet ended.</summary>
    public required int SessionsActive { get; init; }

    /// <summary>VMs running now.</summary>
    public required int MachinesRunning { get; init; }
}
