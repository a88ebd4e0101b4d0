using System.Diagnostics;

namespace Capsule.Vm.Qemu;

/// <summary>Creates a copy-on-write disk: a qcow2 whose backing file (the base image or a snapshot's disk) is never written.</summary>
internal static class DiskOverlay
{
    /// <summary>
    /// Runs <c>qemu-img create -f qcow2 -b &lt;backing&gt; -F &lt;format&gt; &lt;overlay&gt;</c>; throws <see cref="IOException"/>
    /// with its stderr on failure.
    /// </summary>
    /// <param name="backingFormat">"raw" for the image's rootfs.ext4, "qcow2" for a snapshot's disk.</param>
    public static async Task CreateAsync(string qemuImgBinary, string backing, string backingFormat, string overlay, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(qemuImgBinary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["create", "-q", "-f", "qcow2", "-b", backing, "-F", backingFormat, overlay])
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
