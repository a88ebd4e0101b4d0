using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Capsule.Bench;

/// <summary>The short Markdown table of a bench run: figure, value, ratio, target, met or not.</summary>
internal static partial class Report
{
    public static string Markdown(JsonObject r)
    {
        var py = r["local_python_spawn_ms"]!.GetValue<double>();
        var ratios = r["ratios"]!.AsObject();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Capsule bench ({r["measured_at"]})");
        text.AppendLine();
        text.AppendLine("| figure | p50 ms | p99 ms | ratio | target | met |");
        text.AppendLine("|---|---:|---:|---:|---|---|");
        Row(text, "local python spawn (yardstick)", py, null, null, null);
        Row(text, "bare QEMU restore snap2 -> agent ready", r["qemu_bare_restore"]!, ratios["bare_restore_over_python_spawn"], null, null);
        Row(text, "create -> first print(1), warm pool", r["create_first_result_warm_ms"]!, ratios["warm_create_over_python_spawn"], "<= 1.0 x python spawn", 1.0);
        Row(text, "create -> first print(1), empty pool", r["create_first_result_cold_ms"]!, ratios["cold_create_over_bare_restore"], "<= 1.5 x bare restore", 1.5);
        Row(text, "warm execute print(1)", r["warm_exec_python_ms"]!, ratios["warm_exec_python_over_python_spawn"], "<= 0.25 x python spawn", 0.25);
        Row(text, "warm execute echo (bash)", r["warm_exec_bash_ms"]!, ratios["warm_exec_bash_over_python_spawn"], null, null);
        Row(text, "burst 50 bare restores", r["qemu_bare_restore_burst50"]!, null, null, null);
        Row(text, "burst 50 creates + first execute", r["burst50_create_first_result_ms"]!, ratios["burst50_p99_over_bare_burst50_p99"], "p99 <= 1.5 x bare burst p99", 1.5);
        ModeRows(text, r, ratios);
        if (r["pty_keystroke_echo_ms"] is { } echo)
            Row(text, "PTY keystroke echo (one letter, warm session)", echo, null, null, null);
        Row(text, "create -> first print(1), warm pool, networking off", r["create_first_result_warm_no_network_ms"]!,
            ratios["warm_create_networked_over_no_network"], "networked <= 1.1 x off", 1.1);
        if (r["slot_setup_serial_ms"] is { } serial)
            Row(text, "network slot set-up, one at a time", serial, null, null, null);
        if (r["slot_setup_parallel32_ms"] is { } parallel)
            Row(text, "network slot set-up, 32 at once", parallel, null, null, null);
        if (r["app_url_latency_ms"] is { } viaProxy)
        {
            Row(text, "guest HTTP GET / through the app URL", viaProxy, ratios["app_url_latency_over_direct"], null, null);
            Row(text, "guest HTTP GET / straight from its slot", r["slot_direct_latency_ms"]!, null, null, null);
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| guest HTTP 50 MB download, app URL / direct | {r["app_url_throughput_mb_s"]} / {r["slot_direct_throughput_mb_s"]} MB/s | | {ratios["direct_throughput_over_app_url"]}x | | |");
        }
        if (r["app_url_error"] is { } proxyError)
            text.AppendLine(CultureInfo.InvariantCulture, $"| guest HTTP figures | failed: {proxyError} | | | | |");
        var pss = r["idle_session_pss_mib"]!.GetValue<double>();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| host PSS per idle session (512 MB, 2 vCPU) | {pss:F1} MiB | | | <= 64 MiB | {(pss <= 64 ? "yes" : "no")} |");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| idle sessions that fit in available memory | {r["idle_sessions_fit"]} | | | | |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Burst clients that failed: {r["burst50_failed"]}. Host: {r["host"]!.ToJsonString()}.");
        ModeFooter(text, r);
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, JsonNode? figure, JsonNode? ratio, string? target, double? limit)
    {
        string p50, p99;
        if (figure is null)
        {
            p50 = "none";
            p99 = "";
        }
        else if (figure is JsonObject stats)
        {
            p50 = stats["p50"]!.GetValue<double>().ToString("F1", CultureInfo.InvariantCulture);
            p99 = stats["p99"]!.GetValue<double>().ToString("F1", CultureInfo.InvariantCulture);
        }
        else
        {
            p50 = figure.GetValue<double>().ToString("F1", CultureInfo.InvariantCulture);
            p99 = "";
        }
        var ratioValue = ratio?.GetValue<double>();
        var met = limit is null || ratioValue is null ? "" : ratioValue <= limit ? "yes" : "no";
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {p50} | {p99} | {(ratioValue is null ? "" : ratioValue.Value.ToString("F2", CultureInfo.InvariantCulture) + "x")} | {target ?? ""} | {met} |");
    }
}
