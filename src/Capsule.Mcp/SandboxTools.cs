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
internal sealed class SandboxTools(SandboxConnection connection)
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

    [McpServerTool(Name = "upload_file", Title = "Write a file into a sandbox", Destructive = false, OpenWorld = false)]
    [Description("Writes a file into a sandbox, creating missing folders and replacing an existing file. Content is text " +
        "(UTF-8) or base64 for binary files; at most 10 MiB. Relative paths are under /app.")]
    public async Task<CallToolResult> UploadFileAsync(
        [Description("Where to write the file in the sandbox, e.g. data.csv or /tmp/input.bin.")] string path,
        [Description("The file's content, as text or base64 (see encoding).")] string content,
        [Description("\"text\" (default) or \"base64\".")] string encoding = "text",
        [Description("A sandbox id; omit to use this connection's own sandbox.")] string? session_id = null,
        CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        switch (encoding)
        {
            case "text":
                if (Encoding.UTF8.GetByteCount(content) > MaxUploadBytes)
                    return TooLargeToUpload();
                bytes = Encoding.UTF8.GetBytes(content);
                break;
            case "base64":
                if (content.Length / 4 * 3 > MaxUploadBytes + 3)
                    return TooLargeToUpload();
                try
                {
                    bytes = Convert.FromBase64String(content);
                }
                catch (FormatException)
                {
                    return ToolText.Error("content is not valid base64; send it again, or use encoding \"text\" for text.");
                }
                break;
            default:
                return ToolText.Error($"encoding must be \"text\" or \"base64\", not \"{encoding}\".");
        }
        if (bytes.Length > MaxUploadBytes)
            return TooLargeToUpload();
        try
        {
            var (sandboxId, note) = await ResolveAsync(session_id, cancellationToken);
            using var stream = new MemoryStream(bytes, writable: false);
            var size = await Backend.UploadAsync(sandboxId, path, stream, cancellationToken);
            return ToolText.Ok(Join(note, $"Wrote {size} bytes to {path} in sandbox {sandboxId}."));
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

    [McpServerTool(Name = "download_file", Title = "Read a file from a sandbox", ReadOnly = true, OpenWorld = false)]
    [Description("Reads a file from a sandbox and returns its content as text (UTF-8) or base64 for binary files; at most " +
        "1 MiB (for larger files, inspect them with run_code, e.g. head or wc). Relative paths are under /app.")]
    public async Task<CallToolResult> DownloadFileAsync(
        [Description("The file to read in the sandbox, e.g. output.json or /tmp/plot.png.")] string path,
        [Description("\"text\" (default) or \"base64\".")] string encoding = "text",
        [Description("A sandbox id; omit to use this connection's own sandbox.")] string? session_id = null,
        CancellationToken cancellationToken = default)
    {
        if (encoding is not ("text" or "base64"))
            return ToolText.Error($"encoding must be \"text\" or \"base64\", not \"{encoding}\".");
        try
        {
            var (sandboxId, _) = await ResolveAsync(session_id, cancellationToken);
            using var buffer = new CappedBuffer(MaxDownloadBytes);
            try
            {
                await Backend.DownloadAsync(sandboxId, path, buffer, cancellationToken);
            }
            catch (FileTooLargeException)
            {
                return ToolText.Error($"{path} is larger than the 1 MiB download_file returns; inspect it with run_code " +
                    "(e.g. head -c 100000, wc, or a script that summarises it) instead.");
            }
            if (encoding == "base64")
                return ToolText.Ok(Convert.ToBase64String(buffer.Bytes.Span));
            try
            {
                return ToolText.Ok(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.Bytes.Span));
            }
            catch (DecoderFallbackException)
            {
                return ToolText.Error($"{path} is not UTF-8 text; call download_file again with encoding \"base64\".");
            }
        }
        catch (SandboxToolException refused)
        {
            return ToolText.Error(refused.Message);
        }
    }

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

    private static CallToolResult TooLargeToUpload() => ToolText.Error(
        "The file is larger than the 10 MiB upload_file accepts; split it, or produce it inside the sandbox with run_code.");

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
