using System.Text.Json;
using System.Text.Json.Nodes;
using Capsule.Bench;
using static Capsule.Bench.BenchJson;

// The benchmark harness behind `make bench`: every figure of issue part 2, measured in one run on this host,
// written to artifacts/bench/latest.json and latest.md. Not a test: it asserts nothing, it reports.
var root = RepoRoot.Find();
var quick = args.Contains("--quick");
var outDir = Path.Combine(root, "artifacts", "bench");
Directory.CreateDirectory(outDir);
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(45));
var ct = cts.Token;
var runs = quick ? 5 : 20;
// --runs N repeats ComputeSDK's three modes (sequential, staggered, burst 100) N times, for the spread of their p50s.
var modeRuns = ModeRunsArgument(args);
var modeSizes = ModeSizes.For(quick);

Progress.Say("yardstick: /usr/bin/python3 -c 'print(1)'");
var python = await LocalPython.MeasureSpawnAsync(runs, ct);
Progress.Say($"local python spawn: {python}");

Progress.Say("bare QEMU restore of snap2 to agent-ready (no Capsule)");
var bare = await BareRestore.MeasureAsync(root, quick ? 5 : 10, ct);
Progress.Say($"bare restore: {bare}");
Progress.Say("burst of 50 bare restores");
var bareBurst = await BareRestore.BurstAsync(root, 50, ct);
Progress.Say($"bare burst: {bareBurst}");

Progress.Say("network slot set-up: one at a time, then 32 at once");
var slotSetup = await NetworkBench.SlotSetupAsync(runs, 32, ct);
if (slotSetup is { } setup)
    Progress.Say($"slot set-up: serial {setup.Serial}; 32 parallel {setup.Parallel}");

Stats cold, warm, warmNoNetwork, execPython, execBash;
ProxyFigures? proxy;
string? proxyError = null;
ModeResult burst;
Stats? ptyEcho;
double pssMib;
await using (var server = await BenchServer.StartAsync(root, new Dictionary<string, string>
{
    ["Capsule__Vm__WarmPoolSize"] = "0",
}, ct))
{
    Progress.Say("empty pool: create -> first print(1)");
    cold = await ApiBench.CreateToFirstResultAsync(server, runs, waitForPool: false, ct);
    Progress.Say($"empty pool: {cold}");
    Progress.Say("idle session PSS (512 MB, 2 vCPU, after print(1))");
    pssMib = await ApiBench.IdleSessionPssMibAsync(server, 5, ct);
    Progress.Say($"idle PSS: {pssMib:F1} MiB");
}

await using (var server = await BenchServer.StartAsync(root, new Dictionary<string, string>
{
    ["Capsule__Vm__WarmPoolSize"] = "4",
    ["Capsule__Vm__MaxMachines"] = "64",
    ["Capsule__RateLimit__RequestsPerSecond"] = "0",
    // The burst holds 50 sessions at once on one key; the per-key cap (default 20) would refuse 30 of them.
    ["Capsule__RateLimit__MaxRunningSessionsPerKey"] = "64",
}, ct))
{
    Progress.Say("warm pool: create -> first print(1)");
    warm = await ApiBench.CreateToFirstResultAsync(server, runs, waitForPool: true, ct);
    Progress.Say($"warm pool: {warm}");

    var session = await server.CreateSessionAsync(512, 2, ct);
    // The hand-over starts a pool refill (a restore and a warm-up exec): let it finish, so it does not share the CPU.
    await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), ct);
    Progress.Say("warm execute round trips");
    execPython = await ApiBench.WarmExecuteAsync(server, session, "print(1)", "python", "1", runs * 2, ct);
    execBash = await ApiBench.WarmExecuteAsync(server, session, "echo 1", "bash", "1", runs * 2, ct);
    Progress.Say($"python {execPython}; bash {execBash}");
    Progress.Say("PTY keystroke echo on the warm session");
    ptyEcho = await PtyEchoAsync(server, session, 100, ct);
    Progress.Say($"PTY keystroke echo: {(object?)ptyEcho ?? "not measured"}");
    await server.KillAsync(session, ct);

    await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), ct);
    Progress.Say("burst: 50 concurrent creates + first execute");
    burst = await ApiModes.BurstAsync(server, 50, ct);
    Progress.Say($"burst: {burst}");

    await server.WaitPoolFullAsync(TimeSpan.FromMinutes(2), ct);
    Progress.Say("guest HTTP server: through the app URL vs straight from its slot");
    try
    {
        proxy = await NetworkBench.ProxyAsync(server, runs, ct);
    }
    catch (InvalidOperationException e)
    {
        // Its rows are left out and the run ends in 1, but the figures after it are still measured.
        proxyError = e.Message.ReplaceLineEndings(" ").Trim(); // one line: it goes into a table row
        proxy = null;
        Progress.Say($"guest HTTP figures failed: {e.Message}");
    }
    if (proxy is not null)
        Progress.Say($"app URL {proxy.ProxyLatency}, {proxy.ProxyMBps:F0} MB/s; direct {proxy.DirectLatency}, {proxy.DirectMBps:F0} MB/s");
}

await using (var server = await BenchServer.StartAsync(root, new Dictionary<string, string>
{
    ["Capsule__Vm__WarmPoolSize"] = "4",
    ["Capsule__Network__Enabled"] = "false",
}, ct))
{
    Progress.Say("warm pool, networking off: create -> first print(1)");
    warmNoNetwork = await ApiBench.CreateToFirstResultAsync(server, runs, waitForPool: true, ct);
    Progress.Say($"warm pool, networking off: {warmNoNetwork}");
}

var modes = await ModeRuns.RunAsync(root, modeSizes, modeRuns, ct);

// Every client without a result, refused or not: the meaning burst50_failed had before refusals were told apart.
var burstFailed = burst.Refused + burst.Failed;
var burstLatency = burst.Latency ?? throw new InvalidOperationException("burst 50: no client got a result");
var availableMib = HostMemory.AvailableMib();
var report = new JsonObject
{
    ["measured_at"] = DateTimeOffset.UtcNow.ToString("O"),
    ["host"] = new JsonObject
    {
        ["cores"] = Environment.ProcessorCount,
        ["mem_total_mib"] = Math.Round(HostMemory.TotalMib()),
        ["mem_available_mib"] = Math.Round(availableMib),
        ["accelerator"] = "see server /health",
    },
    ["local_python_spawn_ms"] = Round(python.P50),
    ["qemu_bare_restore_ms"] = Round(bare.P50),
    ["qemu_bare_restore"] = ToJson(bare),
    ["qemu_bare_restore_burst50"] = ToJson(bareBurst),
    ["create_first_result_warm_ms"] = ToJson(warm),
    ["create_first_result_cold_ms"] = ToJson(cold),
    ["warm_exec_python_ms"] = ToJson(execPython),
    ["warm_exec_bash_ms"] = ToJson(execBash),
    ["burst50_create_first_result_ms"] = ToJson(burstLatency),
    ["burst50_failed"] = burstFailed,
    ["burst50_refused"] = burst.Refused,
    ["pty_keystroke_echo_ms"] = ptyEcho is null ? null : ToJson(ptyEcho),
    ["idle_session_pss_mib"] = Round(pssMib),
    ["idle_sessions_fit"] = (int)(availableMib / pssMib),
    ["create_first_result_warm_no_network_ms"] = ToJson(warmNoNetwork),
    ["slot_setup_serial_ms"] = slotSetup is { } s1 ? ToJson(s1.Serial) : null,
    ["slot_setup_parallel32_ms"] = slotSetup is { } s2 ? ToJson(s2.Parallel) : null,
    ["app_url_latency_ms"] = proxy is null ? null : ToJson(proxy.ProxyLatency),
    ["slot_direct_latency_ms"] = proxy is null ? null : ToJson(proxy.DirectLatency),
    ["app_url_throughput_mb_s"] = proxy is null ? null : Round(proxy.ProxyMBps),
    ["slot_direct_throughput_mb_s"] = proxy is null ? null : Round(proxy.DirectMBps),
    ["app_url_error"] = proxyError,
    ["ratios"] = new JsonObject
    {
        ["warm_create_over_python_spawn"] = Round(warm.P50 / python.P50),
        ["cold_create_over_bare_restore"] = Round(cold.P50 / bare.P50),
        ["warm_exec_python_over_python_spawn"] = Round(execPython.P50 / python.P50),
        ["warm_exec_bash_over_python_spawn"] = Round(execBash.P50 / python.P50),
        ["burst50_p99_over_bare_burst50_p99"] = Round(burstLatency.P99 / bareBurst.P99),
        ["bare_restore_over_python_spawn"] = Round(bare.P50 / python.P50),
        ["warm_create_networked_over_no_network"] = Round(warm.P50 / warmNoNetwork.P50),
        ["app_url_latency_over_direct"] = proxy is null ? null : Round(proxy.ProxyLatency.P50 / proxy.DirectLatency.P50),
        ["direct_throughput_over_app_url"] = proxy is null ? null : Round(proxy.DirectMBps / proxy.ProxyMBps),
    },
    ["targets"] = new JsonObject
    {
        ["warm_create_over_python_spawn"] = 1.0,
        ["cold_create_over_bare_restore"] = 1.5,
        ["warm_exec_python_over_python_spawn"] = 0.25,
        ["burst50_p99_over_bare_burst50_p99"] = 1.5,
        ["idle_session_pss_mib"] = 64,
        ["warm_create_networked_over_no_network"] = 1.1,
    },
};
ModeJson.AddTo(report, modes, modeSizes);
var json = report.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
await File.WriteAllTextAsync(Path.Combine(outDir, "latest.json"), json, ct);
var markdown = Report.Markdown(report);
await File.WriteAllTextAsync(Path.Combine(outDir, "latest.md"), markdown, ct);
Console.WriteLine(markdown);
if (burstFailed > 0)
{
    // The figures are written either way; a failed client is still an error, not a slower sample.
    Console.Error.WriteLine($"bench: {burstFailed} of the 50 burst clients failed (reasons above); exiting 1.");
    return 1;
}
if (proxyError is not null)
{
    Console.Error.WriteLine($"bench: the guest HTTP figures failed ({proxyError}); exiting 1.");
    return 1;
}
if (modes.Sum(m => m.Failed) is var modesFailed and > 0)
{
    // Refusals at capacity are reported, not errors; any other failure is.
    Console.Error.WriteLine($"bench: {modesFailed} clients of the sequential, staggered and burst 100 modes failed (reasons above); exiting 1.");
    return 1;
}
return 0;

static int ModeRunsArgument(string[] args)
{
    var at = Array.IndexOf(args, "--runs");
    if (at < 0)
        return 1;
    if (at + 1 < args.Length && int.TryParse(args[at + 1], out var n) && n >= 1)
        return n;
    throw new ArgumentException("--runs takes a count of 1 or more");
}

// A PTY that cannot be measured leaves its figure out; it does not cost the rest of the run.
static async Task<Stats?> PtyEchoAsync(BenchServer server, string sessionId, int samples, CancellationToken ct)
{
    try
    {
        return await PtyBench.KeystrokeEchoAsync(server, sessionId, samples, ct);
    }
    catch (Exception e) when (e is InvalidOperationException or System.Net.WebSockets.WebSocketException
        or HttpRequestException)
    {
        Progress.Say($"PTY keystroke echo failed: {e.Message}");
        return null;
    }
}
