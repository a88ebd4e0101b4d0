namespace Capsule.Vm;

/// <summary>
/// The one door from the control plane into the VM layer. It knows machines, not sessions,
/// keys or HTTP. Implemented by Qemu.QemuMachineHost; tests use a fake.
/// </summary>
internal interface IMachineHost
{
    /// <summary>The accelerator machines run on ("kvm" or "tcg") and why it was chosen.</summary>
    AcceleratorInfo Accelerator { get; }

    /// <summary>
    /// Starts a machine of the given shape and returns it once its agent answers.
    /// Throws <see cref="MachineException"/> when it cannot (capacity, a boot that never got ready).
    /// </summary>
    Task<IMachine> StartAsync(MachineSpec spec, CancellationToken cancellationToken);
}
