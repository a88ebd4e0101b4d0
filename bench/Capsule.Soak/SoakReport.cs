using System.Text.Json.Nodes;

namespace Capsule.Soak;

/// <summary>The JSON report (artifacts/soak/latest.json): counts, errors, latency per kind overall and per interval, the timeline, leftovers.</summary>
internal static class SoakReport
{
    public static JsonObject Json(SoakResult r)
    {
        var o = r.Options;
        var byKind = new JsonObject();
        foreach (var kind in Enum.GetValues<OpKind>())
            byKind[Name(kind)] = r.Samples.Count(s => s.Kind == kind);
        var errorsByKind = new JsonObject();
        foreach (var group in r.Errors.GroupBy(e => e.Kind))
            errorsByKind[Name(group.Key)] = group.Count();
        var timeline = r.Timeline;
        return new JsonObject
        {
            ["measured_at"] = r.StartedAt.ToString("O"),
            ["passed"] = r.Passed,
            ["interrupted"] = r.Interrupted,
            ["options"] = new JsonObject
            {
                ["sessions"] = o.Sessions,
                ["minutes"] = o.Minutes,
                ["think_ms"] = o.ThinkMs,
                ["recycle_every"] = o.RecycleEvery,
                ["memory_mb"] = o.MemoryMb,
                ["vcpus"] = o.Vcpus,
                ["server_settings"] = new JsonObject(r.ServerSettings.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            },
            ["host"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["mem_total_mib"] = Math.Round(HostMemory.TotalMib()),
                ["accelerator"] = r.Accelerator,
            },
            ["work_seconds"] = Round(r.WorkSeconds),
            ["ops"] = new JsonObject { ["total"] = r.Samples.Count, ["by_kind"] = byKind },
            ["ops_per_second"] = Round(r.Samples.Count / Math.Max(1, r.WorkSeconds)),
            ["errors"] = new JsonObject
            {
                ["count"] = r.Errors.Count,
                ["by_kind"] = errorsByKind,
                ["first"] = new JsonArray([.. r.Errors.Take(Recorder.KeptErrors).Select(e => (JsonNode)new JsonObject
                {
                    ["at_s"] = Round(e.At),
                    ["kind"] = Name(e.Kind),
                    ["worker"] = e.Worker,
                    ["message"] = e.Message,
                })]),
            },
            ["latency_ms"] = Latencies(r.Samples),
            ["intervals"] = Intervals(r),
            ["sessions"] = new JsonObject
            {
                ["created"] = r.SessionsCreated,
                ["vms_started"] = r.Samples.Count(s => s.Kind == OpKind.Spawn),
                ["vms_killed"] = r.VmsKilled,
                ["peak_live_vms"] = r.PeakLiveVms,
                ["server_machines_after_all_kills"] = r.MachinesAfterKills,
                ["server_pooled_machines_after_all_kills"] = r.PooledAfterKills,
            },
            ["memory"] = new JsonObject
            {
                ["mem_available_mib_start"] = Round(timeline[0].MemAvailableMib),
                ["mem_available_mib_min"] = Round(timeline.Min(s => s.MemAvailableMib)),
                ["mem_available_mib_end"] = Round(timeline[^1].MemAvailableMib),
                ["server_rss_mib_start"] = Round(timeline[0].ServerRssMib ?? 0),
                ["server_rss_mib_max"] = Round(timeline.Max(s => s.ServerRssMib ?? 0)),
                ["server_rss_mib_end"] = Round(timeline[^1].ServerRssMib ?? 0),
                ["qemu_processes_max"] = timeline.Max(s => s.QemuProcesses),
                ["load1_max"] = Round(timeline.Max(s => s.Load1)),
                ["host_cpu_busy_percent_mean"] = Round(timeline.Select(s => s.HostCpuBusyPercent).OfType<double>().DefaultIfEmpty().Average()),
                ["qemu_cpu_cores_mean"] = Round2(timeline.Select(s => s.QemuCpuCores).OfType<double>().DefaultIfEmpty().Average()),
                ["server_cpu_cores_mean"] = Round2(timeline.Select(s => s.ServerCpuCores).OfType<double>().DefaultIfEmpty().Average()),
            },
            ["timeline"] = new JsonArray([.. timeline.Select(s => (JsonNode)new JsonObject
            {
                ["t_s"] = Round(s.At),
                ["mem_available_mib"] = Round(s.MemAvailableMib),
                ["server_rss_mib"] = s.ServerRssMib is { } rss ? Round(rss) : null,
                ["qemu_processes"] = s.QemuProcesses,
                ["live_vms"] = s.LiveVms,
                ["server_machines_running"] = s.MachinesRunning,
                ["load1"] = s.Load1,
                ["host_cpu_busy_percent"] = Round(s.HostCpuBusyPercent),
                ["qemu_cpu_cores"] = Round2(s.QemuCpuCores),
                ["server_cpu_cores"] = Round2(s.ServerCpuCores),
            })]),
            ["shutdown"] = new JsonObject
            {
                ["graceful"] = r.StoppedGracefully,
                ["exit_code"] = r.ServerExitCode,
                ["seconds"] = Round(r.StopSeconds),
                ["qemu_processes_at_exit"] = r.QemuAtExit,
                ["mem_available_mib_after"] = Round(r.MemAvailableAfterStopMib),
            },
            ["leftovers"] = new JsonObject
            {
                ["total"] = r.Leftovers.Total,
                ["qemu_processes"] = r.Leftovers.QemuProcesses,
                ["qemu_zombies"] = r.Leftovers.QemuZombies,
                ["run_folders"] = r.Leftovers.RunFolders,
                ["overlay_files"] = r.Leftovers.OverlayFiles,
                ["ram_files"] = r.Leftovers.RamFiles,
                ["sockets"] = r.Leftovers.Sockets,
                ["other_run_files"] = r.Leftovers.OtherRunFiles,
                ["network_slots"] = r.Leftovers.NetworkSlots,
                ["upload_spool_files"] = r.Leftovers.UploadSpoolFiles,
            },
            ["server_log"] = new JsonObject
            {
                ["path"] = r.ServerLog.Path,
                ["warnings"] = r.ServerLog.Warnings,
                ["errors"] = r.ServerLog.Errors,
                ["critical"] = r.ServerLog.Critical,
                ["first_errors"] = new JsonArray([.. r.ServerLog.FirstErrors.Select(e => (JsonNode)e)]),
                ["first_warnings"] = new JsonArray([.. r.ServerLog.FirstWarnings.Select(e => (JsonNode)e)]),
            },
        };
    }

    public static string Name(OpKind kind) => kind.ToString().ToLowerInvariant();

    public static JsonObject Latencies(IEnumerable<Recorder.Sample> samples)
    {
        var result = new JsonObject();
        var all = samples.ToList();
        foreach (var group in all.GroupBy(s => s.Kind).OrderBy(g => g.Key))
            result[Name(group.Key)] = ToJson(Stats.Of([.. group.Select(s => s.Milliseconds)]));
        if (all.Count > 0)
            result["all"] = ToJson(Stats.Of([.. all.Select(s => s.Milliseconds)]));
        return result;
    }

    private static JsonArray Intervals(SoakResult r)
    {
        var width = r.Options.IntervalSeconds;
        var count = Math.Max(1, (int)Math.Ceiling(Math.Max(r.WorkSeconds, r.Samples.Count == 0 ? 0 : r.Samples.Max(s => s.EndedAt)) / width));
        var intervals = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var (from, to) = (i * width, (i + 1) * width);
            var inside = r.Samples.Where(s => s.EndedAt >= from && s.EndedAt < to).ToList();
            intervals.Add(new JsonObject
            {
                ["from_s"] = from,
                ["to_s"] = to,
                ["ops"] = inside.Count,
                ["errors"] = r.Errors.Count(e => e.At >= from && e.At < to),
                ["latency_ms"] = Latencies(inside),
            });
        }
        return intervals;
    }

    private static JsonObject ToJson(Stats s) => new()
    {
        ["n"] = s.Count,
        ["p50"] = Round(s.P50),
        ["p90"] = Round(s.P90),
        ["p99"] = Round(s.P99),
        ["max"] = Round(s.Max),
    };

    private static double Round(double value) => Math.Round(value, 1);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

    private static double? Round2(double? value) => value is { } v ? Math.Round(v, 2) : null;
}
