using System.Globalization;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;

namespace Capsule.Agent.Stats;

/// <summary>
/// Reads <see cref="GuestStats"/> from /proc: meminfo (MemTotal, MemAvailable), the aggregate cpu
/// line of stat (user + nice, system; in clock ticks), uptime, and the number of /proc/[pid] dirs.
/// </summary>
internal static class GuestStatsReader
{
    private static readonly double MsPerTick = 1000.0 / Math.Max(1, Libc.sysconf(Libc._SC_CLK_TCK));

    public static GuestStats Read()
    {
        long memTotal = 0, memAvailable = 0;
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                memTotal = Kilobytes(line);
            else if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                memAvailable = Kilobytes(line);
        }

        double userMs = 0, systemMs = 0;
        var cpu = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (cpu is not null)
        {
            var ticks = cpu.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
            userMs = (ticks[0] + ticks[1]) * MsPerTick;
            systemMs = ticks[2] * MsPerTick;
        }

        var uptime = File.ReadAllText("/proc/uptime").Split(' ')[0];
        var processes = Directory.EnumerateDirectories("/proc")
            .Count(d => Path.GetFileName(d.AsSpan()) is { Length: > 0 } name && char.IsAsciiDigit(name[0]));

        return new GuestStats
        {
            MemTotalKb = memTotal,
            MemAvailableKb = memAvailable,
            CpuUserMs = userMs,
            CpuSystemMs = systemMs,
            UptimeS = double.Parse(uptime, CultureInfo.InvariantCulture),
            Processes = processes,
        };
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
