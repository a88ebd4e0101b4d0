using System.Text;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Capsule.Server.Tests.Mcp;

/// <summary>The C# MCP SDK's own client, over Streamable HTTP against the in-memory server.</summary>
internal static partial class McpTestClient
{
    /// <summary>Connects with <paramref name="apiKey"/> as X-API-Key (none when null) and the client's default protocol negotiation.</summary>
    public static async Task<McpClient> ConnectAsync(CapsuleApp app, string? apiKey, CancellationToken cancellationToken)
    {
        var http = app.Client(apiKey);
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            EnableStandaloneGetStream = false,
        }, http, loggerFactory: null, ownsHttpClient: true);
        return await McpClient.CreateAsync(transport, new McpClientOptions(), cancellationToken: cancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public static async Task<CallToolResult> CallAsync(
        this McpClient client, string tool, Dictionary<string, object?> arguments, CancellationToken cancellationToken,
        IProgress<ModelContextProtocol.ProgressNotificationValue>? progress = null) =>
        await client.CallToolAsync(tool, arguments, progress, cancellationToken: cancellationToken)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

    public static string Text(this CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(block => block.Text));

    /// <summary>The <c>session_id: ...</c> line of a run_code result.</summary>
    public static string SessionIdOf(CallToolResult result) => SessionIdLine().Match(result.Text()).Groups[1].Value;

    /// <summary>A JSON-RPC message POSTed by hand, as a Streamable HTTP client sends it.</summary>
    public static HttpRequestMessage RawPost(string json, string? mcpSessionId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        if (mcpSessionId is not null)
            request.Headers.Add("Mcp-Session-Id", mcpSessionId);
        return request;
    }

    /// <summary>initialize + notifications/initialized by hand; returns the MCP session id.</summary>
    public static async Task<string> InitializeRawAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var initialized = await client.SendAsync(RawPost(Initialize), cancellationToken);
        Assert.Equal(HttpStatusCode.OK, initialized.StatusCode);
        var session = initialized.Headers.GetValues("Mcp-Session-Id").Single();
        using var notified = await client.SendAsync(RawPost("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", session), cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, notified.StatusCode);
        return session;
    }

    public const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [GeneratedRegex(@"session_id: (\S+)")]
    private static partial Regex SessionIdLine();
}
