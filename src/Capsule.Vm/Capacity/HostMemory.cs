using System.Globalization;
using Capsule.Vm.Qemu;

namespace Capsule.Vm.Capacity;

/// <summary>MemTotal and MemAvailable of the host, in MB, from /proc/meminfo.</summary>
internal sealed record HostMemory(long TotalMb, long AvailableMb)
{
    /// <summary>Reads them through <paramref name="probe"/>; zeros if /proc/meminfo cannot be read.</summary>
    public static HostMemory Read(IHostProbe probe)
    {
        long total = 0, available = 0;
        foreach (var line in (probe.ReadText("/proc/meminfo") ?? "").Split('\n'))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                total = ParseKb(line) / 1024;
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                available = ParseKb(line) / 1024;
        }
        return new HostMemory(total, available);
    }

    private static long ParseKb(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb : 0;
    }
}
