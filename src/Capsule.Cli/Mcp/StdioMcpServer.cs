using Capsule.Client;
using Capsule.Mcp;
using ModelContextProtocol.Server;

namespace Capsule.Cli.Mcp;

/// <summary>
/// The MCP server of <c>capsule mcp</c> over any pair of streams (stdin/stdout in the command, pipes in tests): the
/// shared tools against the client's server, until the input ends or the token is cancelled (SIGTERM, Ctrl+C).
/// Either way the sandbox this connection made is killed first, before anything that could wait.
/// </summary>
internal static class StdioMcpServer
{
    public static async Task RunAsync(CapsuleClient client, Stream input, Stream output, CancellationToken cancellationToken)
    {
        var connection = new SandboxConnection(new ClientSandboxBackend(client));
        var options = new McpServerOptions
        {
            ServerInfo = CapsuleMcpServer.Info,
            ServerInstructions = CapsuleMcpServer.Instructions,
            ToolCollection = SandboxTools.CreateCollection(connection),
        };
        var transport = new StreamServerTransport(input, output, CapsuleMcpServer.Info.Name);
        var server = McpServer.Create(transport, options);
        try
        {
            await server.RunAsync(cancellationToken);
        }
        finally
        {
            await connection.DisposeAsync();
        }
        // A cancelled run may leave the transport's reader blocked in a read of stdin that no token interrupts (it
        // ends when the client closes the pipe); the process is exiting, so it is not waited for.
        cancellationToken.ThrowIfCancellationRequested();
        await server.DisposeAsync();
        await transport.DisposeAsync();
    }
}
