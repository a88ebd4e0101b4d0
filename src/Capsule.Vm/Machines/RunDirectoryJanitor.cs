using System.Text;
using System.Text.RegularExpressions;
using Capsule.Vm.Qemu;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Machines;

/// <summary>
/// Removes machine folders a crashed predecessor left under <see cref="VmOptions.RunDirectory"/>: if a folder's
/// qemu.pid names a live process whose command line mentions that folder, it is SIGKILLed first. Only folders named
/// like machine ids are touched, so a misconfigured RunDirectory cannot lose unrelated data. It also creates the run
/// directory, or makes an existing one, owner-only (0700).
/// </summary>
internal sealed partial class RunDirectoryJanitor(IOptions<VmOptions> options, ILogger<RunDirectoryJanitor> logger, TimeProvider time)
{
    private static readonly TimeSpan DeathWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DeathPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Cleans every leftover folder except those <paramref name="isLive"/> claims; returns how many it removed.</summary>
    public async Task<int> CleanAsync(Func<string, bool> isLive, CancellationToken cancellationToken)
    {
        var runDirectory = Path.GetFullPath(options.Value.RunDirectory);
        // Private: the machine folders in it hold the sockets that control each machine.
        MachineFolder.CreatePrivate(runDirectory);
        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(runDirectory))
        {
            var machineId = Path.GetFileName(folder);
            if (!MachineIdPattern().IsMatch(machineId) || isLive(machineId))
                continue;
            var pid = await KillOwnerAsync(folder, cancellationToken).ConfigureAwait(false);
            try
            {
                Directory.Delete(folder, recursive: true);
                removed++;
                LogRemoved(logger, machineId, pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogNotRemoved(logger, e, folder);
            }
        }
        return removed;
    }

    /// <summary>SIGKILLs the QEMU that still serves <paramref name="folder"/>, if any; returns its pid or 0.</summary>
    private async Task<int> KillOwnerAsync(string folder, CancellationToken cancellationToken)
    {
        var pidText = ReadOrNull(Path.Combine(folder, "qemu.pid"));
        if (!int.TryParse(pidText?.Trim(), out var pid) || pid <= 0)
            return 0;
        var cmdline = ReadOrNull($"/proc/{pid}/cmdline")?.Replace('\0', ' ');
        if (cmdline is null || !cmdline.Contains(folder + "/", StringComparison.Ordinal))
            return 0; // gone, or the pid was reused by an unrelated process
        PosixSignals.Send(pid, PosixSignals.SigKill);
        var killed = time.GetTimestamp();
        while (IsAlive(pid) && time.GetElapsedTime(killed) < DeathWait)
            await Task.Delay(DeathPollInterval, time, cancellationToken).ConfigureAwait(false);
        return pid;
    }

    /// <summary>False once the process is gone or a zombie (dead, waiting for its parent to reap it).</summary>
    private static bool IsAlive(int pid)
    {
        var stat = ReadOrNull($"/proc/{pid}/stat");
        if (stat is null)
            return false;
        var afterName = stat.LastIndexOf(')');
        return afterName < 0 || afterName + 2 >= stat.Length || stat[afterName + 2] is not ('Z' or 'X');
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex("^vm-[0-9a-f]{8}$")]
    private static partial Regex MachineIdPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the run folder of machine {VmId} left by an earlier server (killed QEMU pid {Pid}; 0 = none was running)")]
    private static partial void LogRemoved(ILogger logger, string vmId, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not remove the leftover run folder {Path}")]
    private static partial void LogNotRemoved(ILogger logger, Exception exception, string path);
}
