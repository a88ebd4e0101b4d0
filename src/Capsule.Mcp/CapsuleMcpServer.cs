using ModelContextProtocol.Protocol;

namespace Capsule.Mcp;

/// <summary>How Capsule introduces itself to an MCP client, the same over HTTP and stdio.</summary>
internal static class CapsuleMcpServer
{
    public static Implementation Info { get; } = new() { Name = "capsule", Title = "Capsule sandboxes", Version = "0.1.0" };

    public const string Instructions =
        "Capsule runs code in isolated Linux microVMs (sandboxes). Call run_code to run Python or bash: without a " +
        "session_id it uses this connection's own sandbox, so Python variables, installed packages and files persist " +
        "between calls until the connection ends (or its 30-minute lifetime runs out; extend_sandbox gives more). Use " +
        "upload_file and download_file to move files in and out, create_sandbox for more or bigger sandboxes, " +
        "list_sandboxes to see them, kill_sandbox to free one. Errors come back as tool results that say what to do next.";
}
