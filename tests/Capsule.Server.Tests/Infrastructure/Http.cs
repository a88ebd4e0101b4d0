using System.Text;

namespace Capsule.Server.Tests.Infrastructure;

/// <summary>Wire helpers: raw JSON in, status and parsed JSON out; every call bounded.</summary>
internal static class Http
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static Task<(HttpStatusCode Status, JsonNode? Body)> PostJsonAsync(
        this HttpClient client, string path, JsonNode body, CancellationToken cancellationToken) =>
        client.PostRawAsync(path, body.ToJsonString(), cancellationToken);

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PatchJsonAsync(
        this HttpClient client, string path, JsonNode body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PatchAsync(new Uri(path, UriKind.Relative), content, cancellationToken)
            .WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PostRawAsync(
        this HttpClient client, string path, string body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, cancellationToken)
            .WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> GetJsonAsync(
        this HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public static async Task<(HttpStatusCode Status, string Text)> SendRawAsync(
        this HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync(request, cancellationToken).WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).WaitAsync(Bound, cancellationToken));
    }

    /// <summary>Creates a session and returns its id (asserting 200).</summary>
    public static async Task<string> CreateSessionAsync(
        this HttpClient client, string apiKey, CancellationToken cancellationToken, JsonObject? extra = null)
    {
        var body = new JsonObject { ["api_key"] = apiKey };
        foreach (var (key, value) in extra ?? [])
            body[key] = value?.DeepClone();
        var (status, json) = await client.PostJsonAsync("/v1/sessions/session", body, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"create: {status} {json}");
        return json!["session_id"]!.GetValue<string>();
    }

    public static async Task<JsonNode> ExecuteOkAsync(
        this HttpClient client, string sessionId, string command, CancellationToken cancellationToken)
    {
        var (status, json) = await client.PostJsonAsync("/execute",
            new JsonObject { ["command"] = command, ["session_id"] = sessionId }, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"execute: {status} {json}");
        return json!;
    }

    public static async Task<JsonNode> StatusOkAsync(this HttpClient client, string sessionId, CancellationToken cancellationToken)
    {
        var (status, json) = await client.GetJsonAsync($"/v1/sessions/status/{sessionId}", cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"status: {status} {json}");
        return json!;
    }

    /// <summary>Starts an async execution and returns its task id (asserting 200).</summary>
    public static async Task<string> ExecuteInBackgroundAsync(
        this HttpClient client, string sessionId, string command, CancellationToken cancellationToken)
    {
        var (status, json) = await client.PostJsonAsync("/execute_async",
            new JsonObject { ["command"] = command, ["session_id"] = sessionId }, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"execute_async: {status} {json}");
        return json!["task_id"]!.GetValue<string>();
    }

    /// <summary>Polls an execution until it is complete (bounded) and returns it.</summary>
    public static async Task<JsonNode> WaitForExecutionAsync(this HttpClient client, string taskId, CancellationToken cancellationToken)
    {
        JsonNode? last = null;
        await Eventually.HoldsAsync(async () =>
        {
            var (status, json) = await client.GetJsonAsync($"/v1/executions/{taskId}", cancellationToken);
            Assert.True(status == HttpStatusCode.OK, $"execution: {status} {json}");
            last = json;
            return (bool)json!["is_complete"]!;
        }, $"execution {taskId} completes", cancellationToken);
        return last!;
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).WaitAsync(Bound, cancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
