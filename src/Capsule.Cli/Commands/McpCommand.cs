using System.CommandLine;
using Capsule.Cli.Mcp;

namespace Capsule.Cli.Commands;

/// <summary>
/// <c>capsule mcp</c>: a Model Context Protocol server on stdin/stdout, for MCP clients that start their tools as
/// child processes. The tools are the server's own (Capsule.Mcp), run against the Capsule server named by CAPSULE_URL
/// with CAPSULE_API_KEY. Nothing else is written to stdout; the sandbox the process made for calls without a
/// session_id is killed when stdin closes.
/// </summary>
internal static class McpCommand
{
    public static Command Build()
    {
        var command = new Command("mcp", "Serve MCP tools (run_code, files, sandboxes) over stdio, for MCP clients");
        CliContext.SetAction(command, async (context, cancellationToken) =>
        {
            await using var input = Console.OpenStandardInput();
            await using var output = Console.OpenStandardOutput();
            await StdioMcpServer.RunAsync(context.Client, input, output, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
