using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Capsule.Bench;

/// <summary>The real server as a child process on a free port, with its own data dir and settings.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly Process _process;

    private BenchServer(Process process, string dataDir, HttpClient client)
    {
        _process = process;
        DataDir = dataDir;
        Client = client;
    }

    public string DataDir { get; }
    public HttpClient Client { get; }

    public static async Task<BenchServer> StartAsync(
        string root, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var dataDir = Directory.CreateTempSubdirectory("capsule-bench-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(root, "src", "Capsule.Server", "bin", "Release", "net10.0", "Capsule.Server.dll") },
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["CAPSULE_DATA_DIR"] = dataDir;
        info.Environment["CAPSULE_URL"] = $"http://127.0.0.1:{port}";
        info.Environment["CAPSULE_IMAGE_DIR"] = Path.Combine(root, "artifacts", "guest");
        foreach (var (key, value) in settings)
            info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var log = new StreamWriter(Path.Combine(dataDir, "server.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        var deadline = DateTime.UtcNow.AddMinutes(15);
        var keyFile = Path.Combine(dataDir, "admin.key");
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"server exited ({process.ExitCode}); see {dataDir}/server.log");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"server not healthy; see {dataDir}/server.log");
            try
            {
                using var health = await client.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (health.StatusCode == HttpStatusCode.OK && File.Exists(keyFile))
                    break;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(250, cancellationToken);
        }
        client.DefaultRequestHeaders.Add("X-API-Key", (await File.ReadAllTextAsync(keyFile, cancellationToken)).Trim());
        return new BenchServer(process, dataDir, client);
    }

    public async Task<JsonNode> HealthAsync(CancellationToken cancellationToken) =>
        (await Client.GetFromJsonAsync<JsonNode>(new Uri("/health", UriKind.Relative), cancellationToken))!;

    /// <summary>Waits (bounded) until every warm pool reports as many ready machines as its target.</summary>
    public async Task WaitPoolFullAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var health = await HealthAsync(cancellationToken);
            if (health["warm_pool"] is not JsonArray pools
                || pools.All(p => p!["ready"]!.GetValue<int>() >= p["target"]!.GetValue<int>()))
                return;
            await Task.Delay(200, cancellationToken);
        }
        Progress.Say("warm pool did not fill in time; measuring anyway");
    }

    public async Task<string> CreateSessionAsync(int memoryMb, int vcpuCount, CancellationToken cancellationToken)
    {
        var key = Client.DefaultRequestHeaders.GetValues("X-API-Key").Single();
        using var response = await Client.PostAsJsonAsync(
            "/v1/sessions/session",
            new JsonObject { ["api_key"] = key, ["memory_mb"] = memoryMb, ["vcpu_count"] = vcpuCount, ["vm_lifetime_seconds"] = 1800 },
            cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"create: {(int)response.StatusCode} {body}");
        return body!["session_id"]!.GetValue<string>();
    }

    public async Task<JsonNode> ExecuteAsync(string sessionId, string code, string language, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync(
            "/execute", new JsonObject { ["session_id"] = sessionId, ["command"] = code, ["language"] = language }, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"execute: {(int)response.StatusCode} {body}");
        return body!;
    }

    public async Task<string> VmIdAsync(string sessionId, CancellationToken cancellationToken)
    {
        var status = await Client.GetFromJsonAsync<JsonNode>(new Uri($"/v1/sessions/status/{sessionId}", UriKind.Relative), cancellationToken);
        return status!["vm_id"]!.GetValue<string>();
    }

    public async Task KillAsync(string sessionId, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _ = PosixSignal.Send(_process.Id, 15);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
                _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
