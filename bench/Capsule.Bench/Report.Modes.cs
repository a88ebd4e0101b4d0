using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Capsule.Bench;

/// <summary>ComputeSDK's three modes in the report: a row per mode and its bare counterpart, then the spread over runs.</summary>
internal static partial class Report
{
    private static void ModeRows(StringBuilder text, JsonObject r, JsonObject ratios)
    {
        var clients = r["mode_clients"]!.AsObject();
        var sequential = clients["sequential"]!["clients"];
        var staggered = clients["staggered"]!["clients"];
        var interval = clients["stagger_interval_ms"];
        Row(text, $"bare QEMU, {sequential} restores one after another", r["qemu_bare_restore_sequential"]!, null, null, null);
        Row(text, $"sequential: {sequential} creates + first execute (ratio of p50s)", r["sequential_create_first_result_ms"],
            ratios["sequential_p50_over_bare_sequential_p50"], null, null);
        Row(text, $"bare QEMU, {staggered} restores {interval} ms apart", r["qemu_bare_restore_staggered"]!, null, null, null);
        Row(text, $"staggered: {staggered} creates + first execute, {interval} ms apart (ratio of p50s)", r["staggered_create_first_result_ms"],
            ratios["staggered_p50_over_bare_staggered_p50"], null, null);
        Row(text, "burst 100 bare restores", r["qemu_bare_restore_burst100"]!, null, null, null);
        Row(text, "burst 100 creates + first execute (ratio of p99s)", r["burst100_create_first_result_ms"],
            ratios["burst100_p99_over_bare_burst100_p99"], null, null);
    }

    private static void ModeFooter(StringBuilder text, JsonObject r)
    {
        var clients = r["mode_clients"]!.AsObject();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Modes, refused at capacity (503) / failed: sequential {Count(clients, "sequential")}, staggered {Count(clients, "staggered")}, "
            + $"burst 100 {Count(clients, "burst100")}. Burst 50 refused: {r["burst50_refused"]}.");
        var spread = r["mode_spread"]!.AsObject();
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Spread of the modes' p50 over {spread["runs"]} run(s) (the rows above are run 1):");
        text.AppendLine();
        text.AppendLine("| mode | p50 min ms | p50 max ms | p50 per run |");
        text.AppendLine("|---|---:|---:|---|");
        foreach (var (key, name) in new[]
        {
            ("sequential", "sequential"), ("bare_sequential", "bare sequential"), ("staggered", "staggered"),
            ("bare_staggered", "bare staggered"), ("burst100", "burst 100"), ("bare_burst100", "bare burst 100"),
        })
        {
            var mode = spread[key]!;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Ms(mode["p50_min"])} | {Ms(mode["p50_max"])} | {string.Join(", ", mode["p50s"]!.AsArray().Select(Ms))} |");
        }
    }

    private static string Count(JsonObject clients, string mode) => $"{clients[mode]!["refused"]} / {clients[mode]!["failed"]}";

    private static string Ms(JsonNode? value) =>
        value is null ? "none" : value.GetValue<double>().ToString("F1", CultureInfo.InvariantCulture);
}
