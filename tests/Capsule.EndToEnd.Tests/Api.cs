namespace Capsule.EndToEnd.Tests;

/// <summary>Small wire helpers: the tests speak InstaVM's JSON as any client would.</summary>
internal static class Api
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(
        HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(path, body, cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> GetAsync(
        HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        return (response.StatusCode, await ReadAsync(response, cancellationToken));
    }

    public static async Task<string> CreateSessionAsync(
        HttpClient client, string apiKey, int lifetimeSeconds, Dictionary<string, string>? env, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["api_key"] = apiKey, ["vm_lifetime_seconds"] = lifetimeSeconds };
        if (env is not null)
            body["env"] = new JsonObject(env.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        var (status, json) = await PostAsync(client, "/v1/sessions/session", body, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"create: {status} {json}");
        return json!["session_id"]!.GetValue<string>();
    }

    public static async Task<JsonNode> ExecuteAsync(
        HttpClient client, string sessionId, string code, string? language, CancellationToken cancellationToken, int? timeoutSeconds = null)
    {
        var body = new JsonObject { ["command"] = code, ["session_id"] = sessionId };
        if (language is not null)
            body["language"] = language;
        if (timeoutSeconds is not null)
            body["timeout"] = timeoutSeconds;
        var (status, json) = await PostAsync(client, "/execute", body, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"execute: {status} {json}");
        return json!;
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }
}
