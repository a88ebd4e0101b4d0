using System.CommandLine;
using Capsule.Cli.Mcp;
using Capsule.Mcp;
using ModelContextProtocol.Server;

namespace Capsule.Cli.Commands;

/// <summary>
/// <c>capsule mcp</c>: a Model Context Protocol server on stdin/stdout, for MCP clients that start their tools as
/// child processes. The tools are the server's own (<see cref="SandboxTools"/>), run against the Capsule server named
/// by CAPSULE_URL with CAPSULE_API_KEY. Nothing else is written to stdout; the sandbox the process made for calls
/// without a session_id is killed when stdin closes.
/// </summary>
internal static class McpCommand
{
    public static Command Build()
    {
        var command = new Command("mcp", "Serve MCP tools (run_code, files, sandboxes) over stdio, for MCP clients");
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            await using var connection = new SandboxConnection(new ClientSandboxBackend(context.Client));
            var options = new McpServerOptions
            {
                ServerInfo = CapsuleMcpServer.Info,
                ServerInstructions = CapsuleMcpServer.Instructions,
                ToolCollection = SandboxTools.CreateCollection(connection),
            };
            await using var transport = new StdioServerTransport(options);
            await using var server = McpServer.Create(transport, options);
            await server.RunAsync(cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
