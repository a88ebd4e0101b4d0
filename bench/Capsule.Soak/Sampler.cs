using System.Globalization;

namespace Capsule.Soak;

/// <summary>
/// Every <c>period</c>, takes a <see cref="HostSample"/> (MemAvailable, server RSS, QEMU processes of this soak's run
/// directory, live VMs, CPU use, load average); every <c>progressEvery</c>, prints a progress line with the operations and
/// errors so far and the p50/p99 of the requests since the last line.
/// </summary>
internal sealed class Sampler(Recorder recorder, SoakApi api, int serverPid, string runFragment, TimeSpan period, TimeSpan progressEvery)
{
    private readonly List<HostSample> _samples = [];
    private readonly CpuMeter _cpu = new(serverPid, runFragment);
    private int _lastOps;
    private double _lastProgressAt;

    public IReadOnlyList<HostSample> Samples
    {
        get
        {
            lock (_samples)
                return [.. _samples];
        }
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        await TakeAsync(stop);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var sample = await TakeAsync(stop);
                if (sample.At - _lastProgressAt >= progressEvery.TotalSeconds - period.TotalSeconds / 2)
                    Progress(sample);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>One sample now (also taken by the harness at the end).</summary>
    public async Task<HostSample> TakeAsync(CancellationToken cancellationToken)
    {
        var health = await api.HealthAsync(cancellationToken);
        var now = recorder.Now;
        var (hostBusy, serverCores, qemuCores) = _cpu.Read(now);
        var sample = new HostSample(
            now,
            HostMemory.AvailableMib(),
            HostMemory.RssMib(serverPid),
            QemuProcesses.Matching(runFragment).Count,
            recorder.LiveVms,
            health?["machines_running"]?.GetValue<int>(),
            Load1(),
            hostBusy,
            serverCores,
            qemuCores);
        lock (_samples)
            _samples.Add(sample);
        return sample;
    }

    private void Progress(HostSample sample)
    {
        var since = _lastProgressAt;
        _lastProgressAt = sample.At;
        var all = recorder.Samples();
        var recent = all.Where(s => s.EndedAt > since).Select(s => s.Milliseconds).ToArray();
        var latency = recent.Length == 0 ? "no requests" : $"p50 {Stats.Of(recent).P50:F0} ms, p99 {Stats.Of(recent).P99:F0} ms";
        var opsNow = all.Count;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[soak {sample.At,6:F1}s] ops {opsNow} (+{opsNow - _lastOps}), errors {recorder.ErrorCount}, last {sample.At - since:F0}s {latency}; " +
            $"live VMs {sample.LiveVms} (server {sample.MachinesRunning?.ToString(CultureInfo.InvariantCulture) ?? "?"} machines, {sample.QemuProcesses} qemu), " +
            $"MemAvailable {sample.MemAvailableMib:F0} MiB, server RSS {sample.ServerRssMib:F0} MiB, CPU {sample.HostCpuBusyPercent:F0}% (qemu {sample.QemuCpuCores:F2} cores, server {sample.ServerCpuCores:F2}), load {sample.Load1:F2}"));
        _lastOps = opsNow;
    }

    private static double Load1()
    {
        var text = File.ReadAllText("/proc/loadavg");
        return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
