using System.ComponentModel;
using System.Diagnostics;

namespace Capsule.Vm.HostTools;

/// <summary>Runs a host tool (<c>ip</c>, <c>nsenter</c>, <c>nft</c>, QEMU's <c>--version</c> and <c>-M help</c>) with optional stdin; a failure says what the tool printed.</summary>
internal static class HostCommand
{
    /// <summary>Runs <paramref name="file"/>; returns stdout. Throws <see cref="HostCommandException"/> on a non-zero exit or when it cannot start.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new HostCommandException($"{file} did not start");
        }
        catch (Win32Exception e)
        {
            throw new HostCommandException($"{file} cannot be run: {e.Message}");
        }
        using (process)
        {
            try
            {
                var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
                var errors = process.StandardError.ReadToEndAsync(cancellationToken);
                if (stdin is not null)
                    await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
                process.StandardInput.Close();
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var text = await output.ConfigureAwait(false);
                var error = (await errors.ConfigureAwait(false)).Trim();
                if (process.ExitCode != 0)
                    throw new HostCommandException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
                return text;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
        }
    }
}

/// <summary>A host tool failed; the message is for the log (it names host devices), never for a client.</summary>
internal sealed class HostCommandException(string message) : Exception(message);
