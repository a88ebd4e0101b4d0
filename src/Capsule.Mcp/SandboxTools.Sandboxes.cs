using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Capsule.Mcp;

/// <summary>list_sandboxes, kill_sandbox and extend_sandbox.</summary>
internal sealed partial class SandboxTools
{
    [McpServerTool(Name = "list_sandboxes", Title = "List sandboxes", ReadOnly = true, OpenWorld = false)]
    [Description("Lists the sandboxes of this API key, newest first, one per line: id, status (created: no VM yet; active; " +
        "or why its VM ended: killed, expired, crashed), size, lifetime, when it expires, metadata.")]
    public async Task<CallToolResult> ListSandboxesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var sandboxes = await Backend.ListAsync(cancellationToken);
            if (sandboxes.Count == 0)
                return ToolText.Ok("No sandboxes yet; run_code creates one for this connection, create_sandbox makes more.");
            return ToolText.Ok(string.Join('\n', sandboxes.Select(s => ToolText.Describe(s, connection.OwnSandboxId))));
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    [McpServerTool(Name = "kill_sandbox", Title = "Kill a sandbox", Destructive = true, Idempotent = true, OpenWorld = false)]
    [Description("Destroys a sandbox's VM now, with its processes, variables and files. Without session_id, kills this " +
        "connection's own sandbox (the next run_code then starts a fresh one).")]
    public async Task<CallToolResult> KillSandboxAsync(
        [Description("The sandbox to kill; omit for this connection's own sandbox.")] string? session_id = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var sandboxId = session_id ?? connection.OwnSandboxId
                ?? throw new SandboxToolException("This connection has no sandbox yet; pass the session_id of the one to kill.");
            _ = await FindLiveAsync(sandboxId, cancellationToken);
            if (!await Backend.KillAsync(sandboxId, cancellationToken))
                return ToolText.Ok($"Sandbox {sandboxId} had no running VM; nothing to kill.");
            return ToolText.Ok($"Killed sandbox {sandboxId}.");
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    [McpServerTool(Name = "extend_sandbox", Title = "Extend a sandbox's lifetime", Destructive = false, Idempotent = true, OpenWorld = false)]
    [Description("Makes a sandbox's VM live until the given number of seconds from now (at most 24 h after it started). " +
        "Without session_id, extends this connection's own sandbox.")]
    public async Task<CallToolResult> ExtendSandboxAsync(
        [Description("Seconds from now the VM should live.")] int seconds,
        [Description("The sandbox to extend; omit for this connection's own sandbox.")] string? session_id = null,
        CancellationToken cancellationToken = default)
    {
        if (seconds < 1)
            return ToolText.Error($"seconds must be at least 1, not {seconds}.");
        try
        {
            var sandboxId = session_id ?? connection.OwnSandboxId
                ?? throw new SandboxToolException("This connection has no sandbox yet; run_code creates one, or pass a session_id.");
            _ = await FindLiveAsync(sandboxId, cancellationToken);
            var view = await Backend.ExtendAsync(sandboxId, seconds, cancellationToken);
            return ToolText.Ok($"Extended sandbox {sandboxId}. {ToolText.Describe(view, connection.OwnSandboxId)}");
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }
}
