namespace Capsule.Harness;

/// <summary>What the host's /proc says about memory: per-process PSS and RSS, and the host's available memory.</summary>
internal static class HostMemory
{
    /// <summary>Proportional set size of one process in MiB (from smaps_rollup).</summary>
    public static double PssMib(int pid) => ReadKb($"/proc/{pid}/smaps_rollup", "Pss:") / 1024.0;

    /// <summary>Resident set size of one process in MiB, or null once it is gone.</summary>
    public static double? RssMib(int pid)
    {
        try
        {
            return ReadKb($"/proc/{pid}/status", "VmRSS:") / 1024.0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    public static double AvailableMib() => ReadKb("/proc/meminfo", "MemAvailable:") / 1024.0;

    public static double TotalMib() => ReadKb("/proc/meminfo", "MemTotal:") / 1024.0;

    /// <summary>The pid of the QEMU process whose command line mentions <paramref name="fragment"/>.</summary>
    public static int? QemuPid(string fragment) => QemuProcesses.Matching(fragment) is [var pid, ..] ? pid : null;

    private static long ReadKb(string path, string field)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"{field} not in {path}");
    }
}
