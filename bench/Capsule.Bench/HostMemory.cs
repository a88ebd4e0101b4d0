namespace Capsule.Bench;

/// <summary>What the host's /proc says about memory: per-process PSS and the host's available memory.</summary>
internal static class HostMemory
{
    /// <summary>Proportional set size of one process in MiB (from smaps_rollup).</summary>
    public static double PssMib(int pid) => ReadKb($"/proc/{pid}/smaps_rollup", "Pss:") / 1024.0;

    public static double AvailableMib() => ReadKb("/proc/meminfo", "MemAvailable:") / 1024.0;

    public static double TotalMib() => ReadKb("/proc/meminfo", "MemTotal:") / 1024.0;

    /// <summary>The pid of the QEMU process whose command line mentions <paramref name="fragment"/>.</summary>
    public static int? QemuPid(string fragment)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(fragment, StringComparison.Ordinal))
                    return pid;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return null;
    }

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
