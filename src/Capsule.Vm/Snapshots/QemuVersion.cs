using Capsule.Vm.HostTools;

namespace Capsule.Vm.Snapshots;

/// <summary>The first line of <c>qemu-system-x86_64 --version</c>, e.g. "QEMU emulator version 7.2.22 (Debian ...)".</summary>
internal static class QemuVersion
{
    /// <summary>Throws <see cref="MachineException"/> (StartFailed) if QEMU cannot be run.</summary>
    public static async Task<string> ReadAsync(string qemuBinary, CancellationToken cancellationToken)
    {
        string output;
        try
        {
            output = await HostCommand.RunAsync(qemuBinary, ["--version"], null, cancellationToken).ConfigureAwait(false);
        }
        catch (HostCommandException e)
        {
            throw CannotRun(qemuBinary, e);
        }
        var text = output.Split('\n')[0].Trim();
        return text.Length > 0 ? text : throw CannotRun(qemuBinary, new HostCommandException($"{qemuBinary} --version printed nothing"));
    }

    /// <summary>QEMU (<paramref name="qemuBinary"/>) is missing or broken: the start fails, and says to install it.</summary>
    public static MachineException CannotRun(string qemuBinary, HostCommandException e) =>
        new(MachineErrorCode.StartFailed, $"QEMU cannot be run ({qemuBinary}): {e.Message.TrimEnd('.')}. Install qemu-system-x86 (make deps).", e);
}
