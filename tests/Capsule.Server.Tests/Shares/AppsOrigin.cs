using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Shares;

/// <summary>
/// The in-memory server's apps listener: requests that arrive as if on its port (8079 by default), plus a running
/// session whose VM "serves" <see cref="EchoUpstream"/>'s port, for shares to point at.
/// </summary>
internal static class AppsOrigin
{
    public const int Port = 8079;

    /// <summary>A client for the apps origin at <paramref name="baseAddress"/> (its host is the request's Host); no redirects, no cookie jar.</summary>
    public static HttpClient Client(CapsuleApp app, string baseAddress = "http://127.0.0.1:8079/", int port = Port)
    {
        app.StartServer();
        var handler = app.Server.CreateHandler(context => context.Connection.LocalPort = port);
        return new HttpClient(handler) { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>A session of <paramref name="api"/>'s key with a running VM whose guest endpoint is loopback.</summary>
    public static async Task<string> RunningSessionAsync(CapsuleApp app, HttpClient api, string key, CancellationToken cancellationToken)
    {
        app.Machines.GuestEndpoint = "127.0.0.1";
        var sessionId = await api.CreateSessionAsync(key, cancellationToken);
        await api.ExecuteOkAsync(sessionId, "print(1)", cancellationToken);
        return sessionId;
    }

    /// <summary>Creates a share (asserting 200) and returns its id and URL.</summary>
    public static async Task<(string Id, string Url)> ShareAsync(
        HttpClient api, string sessionId, int port, bool isPublic, CancellationToken cancellationToken)
    {
        var (status, share) = await api.PostJsonAsync("/v1/shares",
            new JsonObject { ["session_id"] = sessionId, ["port"] = port, ["is_public"] = isPublic }, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"share: {status} {share}");
        return ((string)share!["share_id"]!, (string)share["url"]!);
    }

    /// <summary>Asks for a share token (asserting 200) and returns the answer.</summary>
    public static async Task<JsonNode> TokenAsync(HttpClient api, string shareId, CancellationToken cancellationToken)
    {
        var (status, body) = await api.PostRawAsync($"/v1/shares/{shareId}/token", "", cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"token: {status} {body}");
        return body!;
    }

    /// <summary>GET on the apps origin with optional headers; the status, the parsed body (null when not JSON) and the response headers.</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body, System.Net.Http.Headers.HttpResponseHeaders Headers)> GetAsync(
        HttpClient apps, string url, CancellationToken cancellationToken, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (name, value) in headers)
            request.Headers.TryAddWithoutValidation(name, value);
        using var response = await apps.SendAsync(request, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? body = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/json" && text.Length > 0)
            body = JsonNode.Parse(text);
        return (response.StatusCode, body, response.Headers);
    }

    public static T Service<T>(CapsuleApp app)
        where T : notnull => app.Services.GetRequiredService<T>();
}
