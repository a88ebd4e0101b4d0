using System.IO.Pipelines;
using System.Text.RegularExpressions;
using Capsule.Cli.Mcp;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Capsule.Client.Tests.Mcp;

/// <summary>
/// <c>capsule mcp</c>'s server (<see cref="StdioMcpServer"/>) on a pair of in-memory pipes, driven by the C# SDK's
/// client, with its backend talking to the in-memory Capsule server through the SDK. Disposing it closes the input,
/// as an MCP client closing the child's stdin does, and waits for the server to finish.
/// </summary>
internal sealed partial class PipedMcp : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly CapsuleClient _sdk;
    private readonly Task _server;

    private PipedMcp(CapsuleClient sdk)
    {
        _sdk = sdk;
        _server = Task.Run(() => StdioMcpServer.RunAsync(sdk, _toServer.Reader.AsStream(), _toClient.Writer.AsStream(), CancellationToken.None));
    }

    public McpClient Client { get; private set; } = null!;

    public static async Task<PipedMcp> StartAsync(CapsuleApp app, string apiKey)
    {
        var piped = new PipedMcp(app.Sdk(apiKey));
        var transport = new StreamClientTransport(piped._toServer.Writer.AsStream(), piped._toClient.Reader.AsStream());
        piped.Client = await McpClient.CreateAsync(transport, cancellationToken: Bounded.Token).Bound();
        return piped;
    }

    public async Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments) =>
        await Client.CallToolAsync(tool, arguments, cancellationToken: Bounded.Token).AsTask().Bound();

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public static string SessionIdOf(CallToolResult result) => SessionIdLine().Match(Text(result)).Groups[1].Value;

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await _toServer.Writer.CompleteAsync();
        await _server.Bound();
        await _toClient.Reader.CompleteAsync();
        _sdk.Dispose();
    }

    [GeneratedRegex(@"session_id: (\S+)")]
    private static partial Regex SessionIdLine();
}
