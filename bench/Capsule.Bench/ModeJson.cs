using System.Text.Json.Nodes;
using static Capsule.Bench.BenchJson;

namespace Capsule.Bench;

/// <summary>
/// The modes' keys in latest.json. The headline figures are the first run's; <c>mode_spread</c> has every run's p50
/// (with their min and max) and its refused and failed counts.
/// </summary>
internal static class ModeJson
{
    public static void AddTo(JsonObject report, IReadOnlyList<ModeRun> runs, ModeSizes sizes)
    {
        var first = runs[0];
        report["sequential_create_first_result_ms"] = Figure(first.Sequential);
        report["qemu_bare_restore_sequential"] = ToJson(first.BareSequential);
        report["staggered_create_first_result_ms"] = Figure(first.Staggered);
        report["qemu_bare_restore_staggered"] = ToJson(first.BareStaggered);
        report["burst100_create_first_result_ms"] = Figure(first.Burst);
        report["qemu_bare_restore_burst100"] = ToJson(first.BareBurst);
        report["mode_clients"] = new JsonObject
        {
            ["stagger_interval_ms"] = sizes.StaggerInterval.TotalMilliseconds,
            ["sequential"] = Clients(first.Sequential),
            ["staggered"] = Clients(first.Staggered),
            ["burst100"] = Clients(first.Burst),
        };
        var ratios = report["ratios"]!.AsObject();
        ratios["sequential_p50_over_bare_sequential_p50"] = Ratio(first.Sequential.Latency?.P50, first.BareSequential.P50);
        ratios["staggered_p50_over_bare_staggered_p50"] = Ratio(first.Staggered.Latency?.P50, first.BareStaggered.P50);
        ratios["burst100_p99_over_bare_burst100_p99"] = Ratio(first.Burst.Latency?.P99, first.BareBurst.P99);
        report["mode_spread"] = new JsonObject
        {
            ["runs"] = runs.Count,
            ["sequential"] = Spread(runs.Select(r => r.Sequential)),
            ["bare_sequential"] = Spread(runs.Select(r => r.BareSequential)),
            ["staggered"] = Spread(runs.Select(r => r.Staggered)),
            ["bare_staggered"] = Spread(runs.Select(r => r.BareStaggered)),
            ["burst100"] = Spread(runs.Select(r => r.Burst)),
            ["bare_burst100"] = Spread(runs.Select(r => r.BareBurst)),
        };
    }

    private static JsonObject? Figure(ModeResult mode) => mode.Latency is { } latency ? ToJson(latency) : null;

    private static JsonObject Clients(ModeResult mode) => new()
    {
        ["clients"] = mode.Clients,
        ["refused"] = mode.Refused,
        ["failed"] = mode.Failed,
    };

    private static double? Ratio(double? value, double bare) => value is { } v ? Round(v / bare) : null;

    private static JsonObject Spread(IEnumerable<ModeResult> modes)
    {
        var list = modes.ToList();
        var spread = Spread(list.Where(m => m.Latency is not null).Select(m => m.Latency!));
        spread["refused"] = new JsonArray([.. list.Select(m => (JsonNode)m.Refused)]);
        spread["failed"] = new JsonArray([.. list.Select(m => (JsonNode)m.Failed)]);
        return spread;
    }

    private static JsonObject Spread(IEnumerable<Stats> stats)
    {
        var p50s = stats.Select(s => Round(s.P50)).ToList();
        return new JsonObject
        {
            ["p50s"] = new JsonArray([.. p50s.Select(p => (JsonNode)p)]),
            ["p50_min"] = p50s.Count == 0 ? null : p50s.Min(),
            ["p50_max"] = p50s.Count == 0 ? null : p50s.Max(),
        };
    }
}
