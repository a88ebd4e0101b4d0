using System.ComponentModel;
using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Capsule.Mcp;

/// <summary>
/// The MCP tools over one connection's sandboxes. Every expected failure comes back as a tool result with
/// <c>isError: true</c> and a sentence saying what to do next, never as a protocol error; a cancelled call stops the
/// guest process.
/// </summary>
internal sealed partial class SandboxTools(SandboxConnection connection)
{
    /// <summary>Largest file upload_file writes (decoded bytes).</summary>
    public const int MaxUploadBytes = 10 * 1024 * 1024;

    /// <summary>Largest file download_file returns.</summary>
    public const int MaxDownloadBytes = 1024 * 1024;

    /// <summary>How much of the output so far a progress notification carries (its end).</summary>
    private const int ProgressTailChars = 2000;

    private ISandboxBackend Backend => connection.Backend;

    [McpServerTool(Name = "run_code", Title = "Run code in a sandbox", Destructive = false, OpenWorld = false)]
    [Description("Runs Python or bash code in a fresh, isolated Linux microVM (a sandbox) and returns its stdout, stderr " +
        "and exit code. Without session_id the code runs in this connection's own sandbox, created on first use and " +
        "kept for the whole connection: Python variables and imports persist between calls, bash keeps its working " +
        "directory and exported variables, and files stay. The sandbox has python3, pip, bash, coreutils, curl and git; " +
        "relative paths start in /app. A non-zero exit or a timeout is reported as an error result with the output so far.")]
    public async Task<CallToolResult> RunCodeAsync(
        [Description("The source to run: a Python program or a bash script.")] string code,
        [Description("\"python\" (default) or \"bash\".")] string language = "python",
        [Description("A sandbox id from create_sandbox or list_sandboxes; omit to use this connection's own sandbox.")] string? session_id = null,
        [Description("Seconds before the code is killed, 1 to 600 (default 60).")] int timeout = 60,
        RequestContext<CallToolRequestParams>? context = null,
        CancellationToken cancellationToken = default)
    {
        var kind = NormaliseLanguage(language);
        if (kind is null)
            return ToolText.Error($"language must be \"python\" or \"bash\", not \"{language}\".");
        if (timeout is < 1 or > 600)
            return ToolText.Error($"timeout must be between 1 and 600 seconds, not {timeout}.");
        var request = new CodeRequest(code, kind, timeout);
        try
        {
            var (sandboxId, note) = await ResolveAsync(session_id, cancellationToken);
            var reporter = context?.Params?.ProgressToken is { } token ? Reporter(context.Server, token, cancellationToken) : null;
            var outcome = await Backend.RunAsync(sandboxId, request, reporter, cancellationToken);
            return ToolText.Run(sandboxId, request, outcome, note);
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    [McpServerTool(Name = "create_sandbox", Title = "Create a sandbox", Destructive = false, OpenWorld = false)]
    [Description("Creates a new sandbox (an isolated Linux microVM) and returns its session_id, for when you need more than " +
        "this connection's own sandbox: a different size, env vars, a longer lifetime, or several at once. Pass the id to " +
        "run_code, upload_file and download_file. The VM starts at the first run_code (at once when env is given) and is " +
        "destroyed when its lifetime runs out; sandboxes you create stay until then, even after this connection ends.")]
    public async Task<CallToolResult> CreateSandboxAsync(
        [Description("Seconds the VM lives after it starts, 20 to 86400 (default 300).")] int? lifetime_seconds = null,
        [Description("Virtual CPUs (default 2; the server lists the counts it supports in its error if one is not).")] int? vcpu_count = null,
        [Description("Memory in MB, even (default 512).")] int? memory_mb = null,
        [Description("String labels to find the sandbox by later in list_sandboxes.")] Dictionary<string, string>? metadata = null,
        [Description("Environment variables set in the VM for every run.")] Dictionary<string, string>? env = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var view = await Backend.CreateAsync(new SandboxShape
            {
                LifetimeSeconds = lifetime_seconds,
                VcpuCount = vcpu_count,
                MemoryMb = memory_mb,
                Metadata = metadata,
                Env = env,
            }, cancellationToken);
            return ToolText.Ok($"Created sandbox {view.Id} (session_id). {ToolText.Describe(view, connection.OwnSandboxId)}");
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    /// <summary>The named sandbox when it is usable, else this connection's own (created on first use).</summary>
    private async Task<(string Id, string? Note)> ResolveAsync(string? sessionId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sessionId))
            return await connection.GetOwnSandboxAsync(cancellationToken);
        await FindLiveAsync(sessionId, cancellationToken);
        return (sessionId, null);
    }

    private async Task<SandboxView> FindLiveAsync(string sessionId, CancellationToken cancellationToken)
    {
        var view = await Backend.FindAsync(sessionId, cancellationToken)
            ?? throw new SandboxToolException($"Sandbox {sessionId} does not exist for this API key; call list_sandboxes to see " +
                "yours, or omit session_id to use this connection's own sandbox.");
        if (view.Ended)
        {
            throw new SandboxToolException($"Sandbox {sessionId} has ended ({ToolText.DescribeEnd(view.Status)}), so its VM " +
                "and state are gone; omit session_id to use this connection's own sandbox, or call create_sandbox.");
        }
        return view;
    }

    /// <summary>
    /// Progress notifications carrying the end of the output so far, one per chunk the guest sends. Each is awaited
    /// (not fire-and-forget), so every one is on the wire before the result that ends the call.
    /// </summary>
    private static Func<CodeOutput, ValueTask> Reporter(McpServer server, ProgressToken token, CancellationToken cancellationToken)
    {
        var soFar = new StringBuilder();
        var chunks = 0;
        return async chunk =>
        {
            soFar.Append(chunk.Text);
            if (soFar.Length > ProgressTailChars * 2)
                soFar.Remove(0, soFar.Length - ProgressTailChars);
            var tail = soFar.Length > ProgressTailChars ? soFar.ToString(soFar.Length - ProgressTailChars, ProgressTailChars) : soFar.ToString();
            await server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = ++chunks, Message = tail },
                cancellationToken: cancellationToken);
        };
    }

    private static string? NormaliseLanguage(string language) => language.Trim().ToLowerInvariant() switch
    {
        "" or "python" or "python3" or "py" => "python",
        "bash" or "sh" or "shell" => "bash",
        _ => null,
    };

    private static string Join(string? note, string text) => note is null ? text : note + "\n" + text;

    /// <summary>Every tool of this class, bound to <paramref name="connection"/>.</summary>
    public static McpServerPrimitiveCollection<McpServerTool> CreateCollection(SandboxConnection connection)
    {
        var tools = new SandboxTools(connection);
        var collection = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var method in typeof(SandboxTools).GetMethods())
        {
            if (method.IsDefined(typeof(McpServerToolAttribute), inherit: false))
                collection.Add(McpServerTool.Create(method, tools));
        }
        return collection;
    }
}
