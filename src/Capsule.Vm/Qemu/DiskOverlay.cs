using System.Diagnostics;

namespace Capsule.Vm.Qemu;

/// <summary>Creates a machine's copy-on-write disk: a qcow2 whose backing file is the shared base image.</summary>
internal static class DiskOverlay
{
    /// <summary>Runs <c>qemu-img create -f qcow2 -b &lt;base&gt; -F raw &lt;overlay&gt;</c>; throws <see cref="IOException"/> with its stderr on failure.</summary>
    public static async Task CreateAsync(string qemuImgBinary, string baseDisk, string overlay, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(qemuImgBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["create", "-q", "-f", "qcow2", "-b", baseDisk, "-F", "raw", overlay])
            startInfo.ArgumentList.Add(argument);
        using var process = Process.Start(startInfo)
            ?? throw new IOException($"{qemuImgBinary} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new IOException($"{qemuImgBinary} create exited with code {process.ExitCode}: {errors.Trim()}");
    }
}
