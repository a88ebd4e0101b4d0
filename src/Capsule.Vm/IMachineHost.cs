namespace Capsule.Vm;

/// <summary>
/// The one door from the control plane into the VM layer. It knows machines, not sessions,
/// keys or HTTP. Implemented by Qemu.QemuMachineHost; tests use a fake.
/// </summary>
public interface IMachineHost
{
    /// <summary>The accelerator machines run on ("kvm" or "tcg") and why it was chosen.</summary>
    AcceleratorInfo Accelerator { get; }

    /// <summary>Whether machines get a network slot (docs/network.md), and why. Hosts without networking keep the default.</summary>
    NetworkInfo Network => new(false, "this machine host gives machines no network");

    /// <summary>This host's limits and their use now (for <c>/health</c>). Hosts without limits keep the default.</summary>
    CapacityInfo Capacity => CapacityInfo.Unlimited;

    /// <summary>What egress policies denied on this host since it started (for metrics). Hosts without networking keep the default.</summary>
    EgressDenials EgressDenials => EgressDenials.None;

    /// <summary>
    /// Throws <see cref="MachineException"/> (<see cref="MachineErrorCode.CapacityExhausted"/>, a message with the
    /// numbers) if a machine of <paramref name="spec"/> could not be started now, and <see cref="ArgumentOutOfRangeException"/>
    /// for a shape outside the <see cref="MachineLimits"/> the VM layer publishes. A cheap early check: <see cref="StartAsync"/> checks again and reserves.
    /// </summary>
    void EnsureCapacity(MachineSpec spec)
    {
    }

    /// <summary>
    /// Starts a machine of the given shape and returns it once its agent answers: a paused machine from the warm pool
    /// when there is one, else a restore of the snapshot for its vCPU count (built first if missing).
    /// Throws <see cref="MachineException"/> when it cannot (capacity, a start that never got ready, no image).
    /// </summary>
    Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken);
}
