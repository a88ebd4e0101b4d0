using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Capsule.Soak;

/// <summary>
/// The HTTP calls a worker makes, as any client would (admin key in X-API-Key). Every non-2xx answer throws a
/// <see cref="SoakFailure"/> that names the request and quotes the response, so a report line can be acted on.
/// </summary>
internal sealed class SoakApi(HttpClient http)
{
    private const int BodyQuote = 400;

    public async Task<string> CreateSessionAsync(int memoryMb, int vcpus, CancellationToken cancellationToken)
    {
        var key = http.DefaultRequestHeaders.GetValues("X-API-Key").Single();
        var body = await PostJsonAsync("/v1/sessions/session", new JsonObject
        {
            ["api_key"] = key,
            ["memory_mb"] = memoryMb,
            ["vcpu_count"] = vcpus,
            // Longer than any soak worker keeps a VM, so no VM expires under a worker that counts on its state.
            ["vm_lifetime_seconds"] = 3600,
        }, "", cancellationToken);
        return body["session_id"]?.GetValue<string>() ?? throw new SoakFailure($"create: no session_id in {body.ToJsonString()}");
    }

    public Task<JsonNode> ExecuteAsync(string sessionId, string code, string language, CancellationToken cancellationToken) =>
        PostJsonAsync("/execute", new JsonObject
        {
            ["session_id"] = sessionId,
            ["command"] = code,
            ["language"] = language,
            ["timeout"] = 120,
        }, $"session {sessionId}, {language}: {Quote(code, 80)}", cancellationToken);

    public async Task<string> SubmitAsync(string sessionId, string code, CancellationToken cancellationToken)
    {
        var body = await PostJsonAsync("/execute_async", new JsonObject
        {
            ["session_id"] = sessionId,
            ["command"] = code,
            ["language"] = "python",
            ["timeout"] = 120,
        }, $"session {sessionId}: {Quote(code, 80)}", cancellationToken);
        return body["task_id"]?.GetValue<string>() ?? throw new SoakFailure($"execute_async: no task_id in {body.ToJsonString()}");
    }

    public async Task<JsonNode> ExecutionAsync(string taskId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri($"/v1/executions/{taskId}", UriKind.Relative), cancellationToken);
        return await ReadAsync(response, $"GET /v1/executions/{taskId}", cancellationToken);
    }

    public Task<JsonNode> KillAsync(string sessionId, CancellationToken cancellationToken) =>
        PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, $"session {sessionId}", cancellationToken);

    public async Task<long> UploadAsync(string sessionId, string remotePath, byte[] content, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(sessionId), "session_id" },
            { new StringContent(remotePath), "remote_path" },
            { new StringContent("true"), "recursive" },
            { new ByteArrayContent(content), "file", Path.GetFileName(remotePath) },
        };
        using var response = await http.PostAsync(new Uri("/upload", UriKind.Relative), form, cancellationToken);
        var body = await ReadAsync(response, $"POST /upload (session {sessionId}, {remotePath}, {content.Length} bytes)", cancellationToken);
        return body["size"]?.GetValue<long>() ?? -1;
    }

    /// <summary>The file's bytes, as raw octets or from the base64 JSON answer.</summary>
    public async Task<byte[]> DownloadAsync(string sessionId, string path, bool raw, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/download", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent([new("session_id", sessionId), new("filename", path)]),
        };
        if (raw)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        using var response = await http.SendAsync(request, cancellationToken);
        var what = $"POST /download (session {sessionId}, {path}, {(raw ? "raw" : "base64")})";
        if (raw && response.IsSuccessStatusCode)
            return await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var body = await ReadAsync(response, what, cancellationToken);
        var content = body["content"]?.GetValue<string>() ?? throw new SoakFailure($"{what}: no content in the answer");
        return Convert.FromBase64String(content);
    }

    /// <summary>GET /health, or null when it does not answer 200 (the caller only reports it).</summary>
    public async Task<JsonNode?> HealthAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            using var response = await http.GetAsync(new Uri("/health", UriKind.Relative), timeout.Token);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonNode>(timeout.Token) : null;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<JsonNode> PostJsonAsync(string path, JsonObject payload, string what, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(path, UriKind.Relative), payload, cancellationToken);
        return await ReadAsync(response, $"POST {path}{(what.Length > 0 ? $" ({what})" : "")}", cancellationToken);
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new SoakFailure($"{what} -> {(int)response.StatusCode} {Quote(text, BodyQuote)}");
        try
        {
            return JsonNode.Parse(text) ?? throw new SoakFailure($"{what} -> {(int)response.StatusCode} null body");
        }
        catch (System.Text.Json.JsonException)
        {
            throw new SoakFailure($"{what} -> {(int)response.StatusCode} not JSON: {Quote(text, BodyQuote)}");
        }
    }

    public static string Quote(string text, int max)
    {
        var flat = text.Replace("\n", "\\n", StringComparison.Ordinal);
        return flat.Length <= max ? flat : flat[..max] + "...";
    }
}
