using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Capsule.Bench;

/// <summary>The real server (<see cref="ServerProcess"/>) on a free port, with its own data dir and settings.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly ServerProcess _server;

    private BenchServer(ServerProcess server)
    {
        _server = server;
        Client = server.CreateClient(timeout: TimeSpan.FromMinutes(10));
    }

    public string DataDir => _server.DataDir;
    public HttpClient Client { get; }
    public Uri Url => _server.Url;
    public string ApiKey => _server.AdminKey;

    public static async Task<BenchServer> StartAsync(
        string root, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var spec = new ServerSpec(root) { DataDirPrefix = "capsule-bench-", Settings = settings };
        return new BenchServer(await ServerProcess.StartAsync(spec, cancellationToken));
    }

    /// <summary>The first <paramref name="count"/> distinct exception lines of the server's log (why clients failed).</summary>
    public IReadOnlyList<string> LogExceptions(int count) =>
        [.. _server.ReadLog().Split('\n').Select(l => l.Trim()).Where(l => l.Contains("Exception: ", StringComparison.Ordinal)).Distinct().Take(count)];

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
        ThrowUnlessSuccess(response, "create", body);
        return body!["session_id"]!.GetValue<string>();
    }

    public async Task<JsonNode> ExecuteAsync(string sessionId, string code, string language, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync(
            "/execute", new JsonObject { ["session_id"] = sessionId, ["command"] = code, ["language"] = language }, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
        ThrowUnlessSuccess(response, "execute", body);
        return body!;
    }

    /// <summary>POST with a JSON body; the JSON answer, or an exception naming the status.</summary>
    public async Task<JsonNode> PostAsync(string path, JsonObject content, CancellationToken cancellationToken)
    {
        using var response = await Client.PostAsJsonAsync(path, content, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
        ThrowUnlessSuccess(response, path, body);
        return body!;
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await Client.DeleteAsync(new Uri(path, UriKind.Relative), cancellationToken);
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

    /// <summary>The host's capacity refusal (503 with its fixed sentence) is <see cref="CapacityRefusedException"/>.</summary>
    private static void ThrowUnlessSuccess(HttpResponseMessage response, string what, JsonNode? body)
    {
        if (response.IsSuccessStatusCode)
            return;
        var message = $"{what}: {(int)response.StatusCode} {body?.ToJsonString()}";
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable
            && body?["detail"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && body["detail"]!.GetValue<string>().Contains("no capacity", StringComparison.Ordinal))
            throw new CapacityRefusedException(message);
        throw new InvalidOperationException(message);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
