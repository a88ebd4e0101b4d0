using System.Globalization;

namespace Capsule.Soak;

/// <summary>
/// CPU use between two readings, from /proc: the host's busy share (all cores; 100% = every core busy), and the
/// server's and this run's QEMU processes' use in cores (1.0 = one core). A QEMU process that ended between two
/// readings is missed for that period, so the QEMU figure is a floor.
/// </summary>
internal sealed class CpuMeter(int serverPid, string qemuFragment)
{
    /// <summary>USER_HZ: the unit of /proc's tick counts (100 on Linux for every mainstream architecture).</summary>
    private const double TicksPerSecond = 100;

    private (long Busy, long Total)? _host;
    private Dictionary<int, long> _qemu = [];
    private long? _server;
    private double _at;

    /// <summary>Host busy % and server and QEMU cores used since the last call (null on the first call).</summary>
    public (double? HostBusyPercent, double? ServerCores, double? QemuCores) Read(double now)
    {
        var host = HostTicks();
        var server = ProcessTicks(serverPid);
        var qemu = QemuProcesses.Matching(qemuFragment)
            .Select(pid => (pid, ticks: ProcessTicks(pid)))
            .Where(p => p.ticks is not null)
            .ToDictionary(p => p.pid, p => p.ticks!.Value);
        var seconds = now - _at;
        (double? hostBusy, double? serverCores, double? qemuCores) result = (null, null, null);
        if (_host is { } before && seconds > 0)
        {
            var total = host.Total - before.Total;
            result.hostBusy = total > 0 ? 100.0 * (host.Busy - before.Busy) / total : null;
            result.serverCores = server is { } s && _server is { } s0 ? (s - s0) / TicksPerSecond / seconds : null;
            result.qemuCores = qemu.Sum(p => _qemu.TryGetValue(p.Key, out var t0) ? p.Value - t0 : 0) / TicksPerSecond / seconds;
        }
        (_host, _server, _qemu, _at) = (host, server, qemu, now);
        return result;
    }

    private static (long Busy, long Total) HostTicks()
    {
        // "cpu  user nice system idle iowait irq softirq steal ..."
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        var idle = fields[3] + fields[4];
        return (total - idle, total);
    }

    /// <summary>utime + stime of <paramref name="pid"/>, or null once it is gone.</summary>
    private static long? ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
