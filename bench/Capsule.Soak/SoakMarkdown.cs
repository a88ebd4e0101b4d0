using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Capsule.Soak;

/// <summary>The short Markdown report of a soak run (artifacts/soak/latest.md), written from its JSON.</summary>
internal static class SoakMarkdown
{
    public static string Write(JsonObject r)
    {
        var text = new StringBuilder();
        var options = r["options"]!;
        var errors = r["errors"]!;
        var leftovers = r["leftovers"]!;
        var sessions = r["sessions"]!;
        var memory = r["memory"]!;
        var shutdown = r["shutdown"]!;
        var log = r["server_log"]!;
        Line(text, $"# Capsule soak ({r["measured_at"]}): {(r["passed"]!.GetValue<bool>() ? "PASSED" : "FAILED")}");
        Line(text, "");
        Line(text, $"{options["sessions"]} sessions for {options["minutes"]} min (think {options["think_ms"]} ms, VM recycled every ~{options["recycle_every"]} ops, " +
            $"{options["memory_mb"]} MB / {options["vcpus"]} vCPU); host {r["host"]!["cores"]} cores, {r["host"]!["mem_total_mib"]} MiB, {r["host"]!["accelerator"]}." +
            (r["interrupted"]!.GetValue<bool>() ? " **Interrupted.**" : ""));
        Line(text, "");
        Line(text, $"- Operations: {r["ops"]!["total"]} in {r["work_seconds"]} s ({r["ops_per_second"]}/s): {Pairs(r["ops"]!["by_kind"]!.AsObject())}");
        Line(text, $"- Errors: **{errors["count"]}**{(errors["count"]!.GetValue<int>() > 0 ? $" ({Pairs(errors["by_kind"]!.AsObject())})" : "")}");
        Line(text, $"- Sessions created {sessions["created"]}, VMs started {sessions["vms_started"]}, VMs killed {sessions["vms_killed"]}, " +
            $"peak live VMs {sessions["peak_live_vms"]}; server machines after all kills: {sessions["server_machines_after_all_kills"]?.ToJsonString() ?? "?"} " +
            $"(of which pooled: {sessions["server_pooled_machines_after_all_kills"]?.ToJsonString() ?? "?"})");
        Line(text, $"- Host MemAvailable: {memory["mem_available_mib_start"]} MiB at start, min {memory["mem_available_mib_min"]}, " +
            $"{memory["mem_available_mib_end"]} at end. Server RSS: {memory["server_rss_mib_start"]} MiB at start, max {memory["server_rss_mib_max"]}, " +
            $"{memory["server_rss_mib_end"]} at end. QEMU processes max {memory["qemu_processes_max"]}.");
        Line(text, $"- CPU: host busy {memory["host_cpu_busy_percent_mean"]}% on average (QEMU {memory["qemu_cpu_cores_mean"]} cores, server " +
            $"{memory["server_cpu_cores_mean"]} cores); load (1 min) max {memory["load1_max"]}.");
        Line(text, $"- Shutdown: {(shutdown["graceful"]!.GetValue<bool>() ? "graceful" : "**forced (SIGKILL)**")} in {shutdown["seconds"]} s, exit code {shutdown["exit_code"]}, " +
            $"QEMU processes at exit {shutdown["qemu_processes_at_exit"]}.");
        Line(text, $"- Leftovers: **{leftovers["total"]}** (QEMU {leftovers["qemu_processes"]}, run folders {leftovers["run_folders"]}, overlays {leftovers["overlay_files"]}, " +
            $"RAM files {leftovers["ram_files"]}, sockets {leftovers["sockets"]}, other run files {leftovers["other_run_files"]}, upload spool {leftovers["upload_spool_files"]}, network slots {leftovers["network_slots"]}; " +
            $"unreaped QEMU zombies {leftovers["qemu_zombies"]})");
        Line(text, $"- Server log ({log["path"]}): {log["warnings"]} warnings, {log["errors"]} errors, {log["critical"]} critical");
        Line(text, "");
        Line(text, "| kind | n | p50 ms | p90 ms | p99 ms | max ms |");
        Line(text, "|---|---:|---:|---:|---:|---:|");
        foreach (var (kind, stats) in r["latency_ms"]!.AsObject())
            Line(text, $"| {kind} | {stats!["n"]} | {stats["p50"]} | {stats["p90"]} | {stats["p99"]} | {stats["max"]} |");
        Line(text, "");
        Line(text, "Per interval (all kinds; python and spawn):");
        Line(text, "");
        Line(text, "| from s | ops | errors | p50 ms | p99 ms | max ms | python p50/p99 | spawn p50/p99 |");
        Line(text, "|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var interval in r["intervals"]!.AsArray())
        {
            var latency = interval!["latency_ms"]!;
            var all = latency["all"];
            Line(text, $"| {interval["from_s"]} | {interval["ops"]} | {interval["errors"]} | {all?["p50"]} | {all?["p99"]} | {all?["max"]} | " +
                $"{PairOf(latency["python"])} | {PairOf(latency["spawn"])} |");
        }
        if (errors["first"]!.AsArray().Count > 0)
        {
            Line(text, "");
            Line(text, "First errors:");
            Line(text, "");
            foreach (var e in errors["first"]!.AsArray())
                Line(text, $"- {e!["at_s"]} s, worker {e["worker"]}, {e["kind"]}: `{e["message"]}`");
        }
        if (log["first_errors"]!.AsArray().Count > 0)
        {
            Line(text, "");
            Line(text, "First server log errors:");
            Line(text, "");
            foreach (var e in log["first_errors"]!.AsArray())
                Line(text, $"- `{e}`");
        }
        return text.ToString();
    }

    private static string Pairs(JsonObject counts) =>
        string.Join(", ", counts.Where(kv => kv.Value!.GetValue<int>() > 0).Select(kv => $"{kv.Key} {kv.Value}"));

    private static string PairOf(JsonNode? stats) => stats is null ? "" : $"{stats["p50"]} / {stats["p99"]}";

    private static void Line(StringBuilder text, string line) => text.AppendLine(CultureInfo.InvariantCulture, $"{line}");
}
