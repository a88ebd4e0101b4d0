using System.ComponentModel;
using System.Diagnostics;

namespace Capsule.Vm.Snapshots;

/// <summary>The first line of <c>qemu-system-x86_64 --version</c>, e.g. "QEMU emulator version 7.2.22 (Debian ...)".</summary>
internal static class QemuVersion
{
    /// <summary>Throws <see cref="MachineException"/> (StartFailed) if QEMU cannot be run.</summary>
    public static async Task<string> ReadAsync(string qemuBinary, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(qemuBinary, "--version")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{qemuBinary} did not start.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var text = (await output.ConfigureAwait(false)).Split('\n')[0].Trim();
            await errors.ConfigureAwait(false);
            if (process.ExitCode != 0 || text.Length == 0)
                throw new InvalidOperationException($"{qemuBinary} --version exited with code {process.ExitCode}.");
            return text;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            throw new MachineException(MachineErrorCode.StartFailed, $"QEMU cannot be run ({qemuBinary}): {e.Message.TrimEnd('.')}. Install qemu-system-x86 (make deps).", e);
        }
    }
}
