using Capsule.Client;
using Capsule.Mcp;
using ModelContextProtocol.Server;

namespace Capsule.Cli.Mcp;

/// <summary>
/// The MCP server of <c>capsule mcp</c> over any pair of streams (stdin/stdout in the command, pipes in tests): the
/// shared tools against the client's server, until the input ends. Then the sandbox this connection made is killed.
/// </summary>
internal static class StdioMcpServer
{
    public static async Task RunAsync(CapsuleClient client, Stream input, Stream output, CancellationToken cancellationToken)
    {
        await using var connection = new SandboxConnection(new ClientSandboxBackend(client));
        var options = new McpServerOptions
        {
            ServerInfo = CapsuleMcpServer.Info,
            ServerInstructions = CapsuleMcpServer.Instructions,
            ToolCollection = SandboxTools.CreateCollection(connection),
        };
        await using var transport = new StreamServerTransport(input, output, CapsuleMcpServer.Info.Name);
        await using var server = McpServer.Create(transport, options);
        await server.RunAsync(cancellationToken);
    }
}
