using System.Diagnostics;
using System.Text.Json;
using Capsule.Soak;

// The soak harness behind `make soak`: N workers, each with a session, doing checked python/bash/file/async work
// against the real built server for M minutes, killing and creating sessions throughout. Writes
// artifacts/soak/latest.{json,md}; exits 1 on any error or leftover. Not a test: docs/soak.md.
SoakOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(SoakOptions.Usage);
        return 0;
    }
    options = SoakOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"soak: {e.Message}\n{SoakOptions.Usage}");
    return 2;
}

var root = RepoRoot.Find();
var outDir = Path.Combine(root, "artifacts", "soak");
Directory.CreateDirectory(outDir);
using var stop = new CancellationTokenSource();
using var abort = new CancellationTokenSource();
ServerProcess? server = null;
using var signals = new ShutdownSignals(stop.Cancel, () =>
{
    server?.KillNow();
    Environment.Exit(130);
});
AppDomain.CurrentDomain.ProcessExit += (_, _) => server?.KillNow();

var settings = SoakServerSettings.For(options, HostMemory.TotalMib());
var logPath = Path.Combine(outDir, "server.log");
Say($"starting the server ({options.Configuration}); log: {logPath}");
// Networking that exists before the server does is not its leftovers.
var slotsBefore = NetworkNamespaces.Everything();
// Guests' traffic goes to a test internet on this machine (alpha.test allowed, beta.test denied) and nowhere else.
var noInternet = TestInternet.MissingReason();
await using var internet = noInternet is null ? await TestInternet.StartAsync(stop.Token) : null;
if (internet is null)
    Say($"no test internet, so no network work: {noInternet}");
else
    settings = SoakServerSettings.WithInternet(settings, internet);
try
{
    server = await ServerProcess.StartAsync(
        new ServerSpec(root) { Configuration = options.Configuration, DataDirPrefix = "capsule-soak-", LogPath = logPath, Settings = settings },
        stop.Token);
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
{
    Say($"the server did not start: {e.Message}");
    return 3;
}
server.KeepDataDir = options.KeepData;

using var http = server.CreateClient(timeout: TimeSpan.FromMinutes(3));
var api = new SoakApi(http);
var accelerator = (await api.HealthAsync(abort.Token))?["accelerator"]?.GetValue<string>() ?? "unknown";
Say($"server pid {server.Pid} on {server.Url} ({accelerator}), data {server.DataDir}; " +
    $"{options.Sessions} workers for {options.Minutes} min");

// Start from a full warm pool (a missing snapshot is built first), so the soak measures steady work, not the set-up.
await WaitPoolFullAsync(api, TimeSpan.FromMinutes(15), stop.Token);

var recorder = new Recorder();
var startedAt = DateTimeOffset.UtcNow;
// A sample about every 10 s, a whole number of them per progress line.
var samplePeriod = TimeSpan.FromSeconds(options.ProgressSeconds / Math.Ceiling(options.ProgressSeconds / 10.0));
var sampler = new Sampler(recorder, api, server.Pid, server.DataDir, samplePeriod, TimeSpan.FromSeconds(options.ProgressSeconds));
using var samplerStop = new CancellationTokenSource();
var samplerTask = sampler.RunAsync(samplerStop.Token);
var workSeconds = options.Duration.TotalSeconds;
using (stop.Token.Register(() => workSeconds = recorder.Now))
{
    stop.CancelAfter(options.Duration);
    // Workers join over the first quarter of the run (at most 30 s), so the start is not one burst of creates.
    var ramp = TimeSpan.FromSeconds(Math.Min(30, options.Duration.TotalSeconds / 4));
    await Task.WhenAll(Enumerable.Range(0, options.Sessions).Select(i =>
        new Worker(i, api, options, recorder, network: internet is not null).RunAsync(ramp * i / options.Sessions, stop.Token, abort.Token)));
}
Say($"workers done after {recorder.Now:F1} s ({recorder.Samples().Count} ops, {recorder.ErrorCount} errors); stopping the server");
await samplerStop.CancelAsync();
await samplerTask;
await sampler.TakeAsync(abort.Token);
// Every worker has killed its VM: once the pool has refilled, what the server runs should be its warm pool and nothing else.
await WaitPoolFullAsync(api, TimeSpan.FromMinutes(2), abort.Token);
var capacity = (await api.HealthAsync(abort.Token))?["capacity"];
var machinesAfterKills = capacity?["machines"]?.GetValue<int>();
var pooledAfterKills = capacity?["pooled_machines"]?.GetValue<int>();

var stopWatch = Stopwatch.StartNew();
var (graceful, exitCode) = await server.StopAsync(TimeSpan.FromMinutes(2));
var stopSeconds = stopWatch.Elapsed.TotalSeconds;
var qemuAtExit = QemuProcesses.Matching(server.DataDir).Count;
var leftovers = await Leftovers.ScanAfterAsync(server.DataDir, slotsBefore, TimeSpan.FromSeconds(5), abort.Token);
var memAfterStop = HostMemory.AvailableMib();
if (leftovers.Total > 0)
{
    server.KeepDataDir = true;
    Say($"leftovers: {leftovers}; the data dir stays for inspection: {server.DataDir}");
}
var dataDir = server.DataDir;
await server.DisposeAsync();
server = null;

var result = new SoakResult(options, settings, accelerator, startedAt, workSeconds, signals.Received,
    recorder.Samples(), recorder.Errors(), recorder.SessionsCreated, recorder.VmsKilled, recorder.PeakLiveVms, machinesAfterKills, pooledAfterKills,
    sampler.Samples, graceful, exitCode, stopSeconds, qemuAtExit, memAfterStop, leftovers, ServerLog.Read(logPath));
var report = SoakReport.Json(result);
await File.WriteAllTextAsync(Path.Combine(outDir, "latest.json"), report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), abort.Token);
var markdown = SoakMarkdown.Write(report);
await File.WriteAllTextAsync(Path.Combine(outDir, "latest.md"), markdown, abort.Token);
Console.WriteLine(markdown);
Say($"{(result.Passed ? "PASSED" : "FAILED")}: {result.Errors.Count} errors, {leftovers.Total} leftovers" + (result.Interrupted ? ", interrupted" : "") +
    (options.KeepData || leftovers.Total > 0 ? $"; data dir kept: {dataDir}" : ""));
return result.Passed ? 0 : 1;

static void Say(string message) => Console.Error.WriteLine($"[soak] {message}");

static async Task WaitPoolFullAsync(SoakApi api, TimeSpan within, CancellationToken cancellationToken)
{
    var watch = Stopwatch.StartNew();
    while (!cancellationToken.IsCancellationRequested)
    {
        var pools = (await api.HealthAsync(cancellationToken))?["warm_pool"] as System.Text.Json.Nodes.JsonArray;
        if (pools is not null && pools.All(p => p!["ready"]!.GetValue<int>() >= p["target"]!.GetValue<int>()))
        {
            Say($"warm pool full after {watch.Elapsed.TotalSeconds:F1} s");
            return;
        }
        if (watch.Elapsed > within)
        {
            Say($"warm pool not full after {within.TotalMinutes} min; starting anyway");
            return;
        }
        try
        {
            await Task.Delay(500, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }
}
