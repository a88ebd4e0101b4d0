using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Mcp;

/// <summary>The tools at /mcp, driven by the C# SDK's client against the in-memory server and fake machines.</summary>
public sealed class McpToolTests
{
    [Fact]
    public async Task ListTools_ShowsEveryToolWithItsArguments()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var tools = await mcp.ListToolsAsync(cancellationToken: ct);

        Assert.Equal(
            ["create_sandbox", "download_file", "extend_sandbox", "kill_sandbox", "list_sandboxes", "run_code", "upload_file"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var runCode = tools.Single(t => t.Name == "run_code");
        Assert.Contains("Python", runCode.Description, StringComparison.Ordinal);
        var properties = runCode.JsonSchema.GetProperty("properties");
        Assert.Equal(["code", "language", "session_id", "timeout"], properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["code"], runCode.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.All(tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Description)));
    }

    [Fact]
    public async Task RunCode_Python_ReturnsStdoutAndExitCode()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        app.Machines.Script("print(6*7)", FakeMachineHost.Result(stdout: "42\n"));
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "print(6*7)" }, ct);

        Assert.NotEqual(true, result.IsError);
        Assert.Contains("--- stdout ---\n42\n", result.Text(), StringComparison.Ordinal);
        Assert.Contains("exit_code: 0", result.Text(), StringComparison.Ordinal);
        var exec = Assert.Single(app.Machines.Last.Execs);
        Assert.Equal(Capsule.Vm.ExecLanguageKind.Python, exec.Language);
        Assert.Equal(TimeSpan.FromSeconds(60), exec.Timeout);
    }

    [Fact]
    public async Task RunCode_Bash_RunsAsBashWithTheTimeoutGiven()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "echo hi", ["language"] = "bash", ["timeout"] = 5 }, ct);

        Assert.NotEqual(true, result.IsError);
        var exec = Assert.Single(app.Machines.Last.Execs);
        Assert.Equal(Capsule.Vm.ExecLanguageKind.Bash, exec.Language);
        Assert.Equal(TimeSpan.FromSeconds(5), exec.Timeout);
    }

    [Fact]
    public async Task RunCode_TwoCallsWithoutSessionId_ShareTheConnectionsSession()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var first = await mcp.CallAsync("run_code", new() { ["code"] = "x = 42" }, ct);
        var second = await mcp.CallAsync("run_code", new() { ["code"] = "print(x)" }, ct);

        Assert.Equal(McpTestClient.SessionIdOf(first), McpTestClient.SessionIdOf(second));
        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(["x = 42", "print(x)"], machine.Execs.Select(e => e.Code));
        var sessions = await app.Services.GetRequiredService<ISessionStore>().ListByKeyAsync(await AdminKeyIdAsync(app, ct), ct);
        Assert.Equal(McpTestClient.SessionIdOf(first), Assert.Single(sessions).SessionId.ToString("D"));
    }

    [Fact]
    public async Task RunCode_TwoConnections_GetTwoSessions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var one = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        await using var two = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var first = await one.CallAsync("run_code", new() { ["code"] = "1" }, ct);
        var second = await two.CallAsync("run_code", new() { ["code"] = "2" }, ct);

        Assert.NotEqual(McpTestClient.SessionIdOf(first), McpTestClient.SessionIdOf(second));
        Assert.Equal(2, app.Machines.Started.Count);
    }

    [Fact]
    public async Task RunCode_GuestTimeout_IsErrorWithPartialOutput()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        app.Machines.Script("while True: pass", FakeMachineHost.Result(stdout: "partial\n", exitCode: 124, timedOut: true));
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "while True: pass", ["timeout"] = 2 }, ct);

        Assert.True(result.IsError);
        Assert.StartsWith("The code timed out after 2 s", result.Text(), StringComparison.Ordinal);
        Assert.Contains("partial", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunCode_NonZeroExit_IsErrorWithStderr()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        app.Machines.Script("1/0", FakeMachineHost.Result(stderr: "ZeroDivisionError: division by zero\n", exitCode: 1));
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "1/0" }, ct);

        Assert.True(result.IsError);
        Assert.StartsWith("The code exited with code 1.", result.Text(), StringComparison.Ordinal);
        Assert.Contains("ZeroDivisionError", result.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunCode_UnknownSessionOrLanguage_IsErrorSentence()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        var unknown = Guid.NewGuid().ToString("D");

        var noSuchSession = await mcp.CallAsync("run_code", new() { ["code"] = "1", ["session_id"] = unknown }, ct);
        var badLanguage = await mcp.CallAsync("run_code", new() { ["code"] = "1", ["language"] = "ruby" }, ct);

        Assert.True(noSuchSession.IsError);
        Assert.Equal($"Sandbox {unknown} does not exist for this API key; call list_sandboxes to see yours, or omit " +
            "session_id to use this connection's own sandbox.", noSuchSession.Text());
        Assert.True(badLanguage.IsError);
        Assert.Equal("language must be \"python\" or \"bash\", not \"ruby\".", badLanguage.Text());
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task RunCode_ConnectionSandboxExpired_RunsInAFreshOneAndSaysSo()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        var first = await mcp.CallAsync("run_code", new() { ["code"] = "x = 1" }, ct);

        app.Time.Advance(TimeSpan.FromSeconds(Capsule.Mcp.SandboxConnection.OwnSandboxLifetimeSeconds + 1));
        await Eventually.HoldsAsync(() => Task.FromResult(app.Machines.Started[0].IsDisposed), "the sandbox expired", ct);
        var second = await mcp.CallAsync("run_code", new() { ["code"] = "print(x)" }, ct);

        Assert.NotEqual(McpTestClient.SessionIdOf(first), McpTestClient.SessionIdOf(second));
        Assert.Contains("previous sandbox", second.Text(), StringComparison.Ordinal);
        Assert.Contains("its lifetime ran out", second.Text(), StringComparison.Ordinal);
        Assert.Equal(2, app.Machines.Started.Count);
    }

    [Fact]
    public async Task RunCode_ExplicitSessionWhoseVmExpired_IsErrorSentence()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "1", ct);
        app.Time.Advance(TimeSpan.FromSeconds(SessionLimits.DefaultLifetimeSeconds + 1));
        await Eventually.HoldsAsync(() => Task.FromResult(app.Machines.Last.IsDisposed), "the VM expired", ct);
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "2", ["session_id"] = sessionId }, ct);

        Assert.True(result.IsError);
        Assert.StartsWith($"Sandbox {sessionId} has ended (its lifetime ran out)", result.Text(), StringComparison.Ordinal);
        Assert.Single(app.Machines.Started);
    }

    /// <summary>
    /// With a progress token, each output chunk is a <c>notifications/progress</c> carrying the output so far, on the
    /// call's own stream and before its result. Read off the wire, so the order itself is asserted (the C# client's
    /// progress callback raced the call's completion in this setup and was not a reliable witness).
    /// </summary>
    [Fact]
    public async Task RunCode_Progress_ReportsTheOutputSoFarBeforeTheResult()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        app.Machines.Script("loop", (FakeMachineHost.StreamingScript)(async (_, _, emit, _) =>
        {
            await emit(new Capsule.Vm.OutputChunk(Capsule.Vm.OutputStreamKind.Stdout, "step 1\n"));
            await emit(new Capsule.Vm.OutputChunk(Capsule.Vm.OutputStreamKind.Stdout, "step 2\n"));
            return FakeMachineHost.Result(stdout: "step 1\nstep 2\n");
        }));
        using var client = app.Client(app.AdminKey);
        var session = await McpTestClient.InitializeRawAsync(client, ct);

        using var call = await client.SendAsync(McpTestClient.RawPost(
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"loop"},"_meta":{"progressToken":"p1"}}}""",
            session), ct);
        var messages = (await call.Content.ReadAsStringAsync(ct)).Split('\n')
            .Where(line => line.StartsWith("data:", StringComparison.Ordinal))
            .Select(line => JsonNode.Parse(line[5..])!)
            .ToList();

        Assert.Equal(["notifications/progress", "notifications/progress", null], messages.Select(m => (string?)m["method"]));
        Assert.All(messages.Take(2), m => Assert.Equal("p1", (string?)m["params"]!["progressToken"]));
        Assert.Equal(["step 1\n", "step 1\nstep 2\n"], messages.Take(2).Select(m => (string?)m["params"]!["message"]));
        Assert.Equal(7, (int)messages[2]["id"]!);
        Assert.False((bool)messages[2]["result"]!["isError"]!);
    }

    /// <summary>
    /// A <c>notifications/cancelled</c> for a running run_code cancels the guest process. Sent by hand: cancelling the
    /// C# client's call did not reach the server over the in-memory test transport (not investigated further).
    /// </summary>
    [Fact]
    public async Task RunCode_CancelledNotification_CancelsTheGuestProcess()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var sleeper = app.Machines.ScriptUntilCancelled("sleep forever");
        using var client = app.Client(app.AdminKey);
        var session = await McpTestClient.InitializeRawAsync(client, ct);
        var call = client.SendAsync(McpTestClient.RawPost(
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"run_code","arguments":{"code":"sleep forever"}}}""", session),
            HttpCompletionOption.ResponseHeadersRead, ct);
        await sleeper.Started.WaitAsync(TimeSpan.FromSeconds(30), ct);

        using var cancel = await client.SendAsync(McpTestClient.RawPost(
            """{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}""", session), ct);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        await sleeper.Cancelled.WaitAsync(TimeSpan.FromSeconds(30), ct);
        (await call.WaitAsync(TimeSpan.FromSeconds(30), ct)).Dispose();
    }

    [Fact]
    public async Task UploadThenDownload_Text_RoundTrips()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        const string content = "name,value\nπ,3.14159\n";

        var upload = await mcp.CallAsync("upload_file", new() { ["path"] = "data/table.csv", ["content"] = content }, ct);
        var download = await mcp.CallAsync("download_file", new() { ["path"] = "/app/data/table.csv" }, ct);

        Assert.NotEqual(true, upload.IsError);
        Assert.Contains($"Wrote {System.Text.Encoding.UTF8.GetByteCount(content)} bytes", upload.Text(), StringComparison.Ordinal);
        Assert.NotEqual(true, download.IsError);
        Assert.Equal(content, download.Text());
        Assert.Equal(content, await File.ReadAllTextAsync(app.Machines.Last.HostPath("/app/data/table.csv"), ct));
    }

    [Fact]
    public async Task UploadThenDownload_Base64Binary_RoundTripsAndTextIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        await mcp.CallAsync("upload_file", new() { ["path"] = "/tmp/all.bin", ["content"] = Convert.ToBase64String(bytes), ["encoding"] = "base64" }, ct);
        var asBase64 = await mcp.CallAsync("download_file", new() { ["path"] = "/tmp/all.bin", ["encoding"] = "base64" }, ct);
        var asText = await mcp.CallAsync("download_file", new() { ["path"] = "/tmp/all.bin" }, ct);

        Assert.Equal(bytes, Convert.FromBase64String(asBase64.Text()));
        Assert.True(asText.IsError);
        Assert.Equal("/tmp/all.bin is not UTF-8 text; call download_file again with encoding \"base64\".", asText.Text());
    }

    [Fact]
    public async Task DownloadFile_TooLargeOrMissing_IsErrorSentence()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        await mcp.CallAsync("run_code", new() { ["code"] = "1" }, ct);
        await File.WriteAllBytesAsync(app.Machines.Last.HostPath("/app/big.bin"), new byte[Capsule.Mcp.SandboxTools.MaxDownloadBytes + 1], ct);

        var big = await mcp.CallAsync("download_file", new() { ["path"] = "big.bin", ["encoding"] = "base64" }, ct);
        var missing = await mcp.CallAsync("download_file", new() { ["path"] = "nothing.txt" }, ct);

        Assert.True(big.IsError);
        Assert.StartsWith("big.bin is larger than the 1 MiB download_file returns", big.Text(), StringComparison.Ordinal);
        Assert.True(missing.IsError);
        Assert.Contains("File not found", missing.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSandbox_ShapeAndEnv_AreTheSessions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);

        var created = await mcp.CallAsync("create_sandbox", new()
        {
            ["lifetime_seconds"] = 600,
            ["memory_mb"] = 1024,
            ["metadata"] = new Dictionary<string, string> { ["project"] = "demo" },
            ["env"] = new Dictionary<string, string> { ["GREETING"] = "hello" },
        }, ct);
        var invalid = await mcp.CallAsync("create_sandbox", new() { ["lifetime_seconds"] = 5 }, ct);
        var list = await mcp.CallAsync("list_sandboxes", [], ct);

        Assert.NotEqual(true, created.IsError);
        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(1024, machine.Spec.MemoryMb);
        Assert.Equal("hello", machine.Env["GREETING"]);
        Assert.Contains("status=active", list.Text(), StringComparison.Ordinal);
        Assert.Contains("project=demo", list.Text(), StringComparison.Ordinal);
        Assert.True(invalid.IsError);
        Assert.StartsWith("Invalid arguments: vm_lifetime_seconds:", invalid.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KillAndExtend_ConnectionSandbox_ActOnIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        await using var mcp = await McpTestClient.ConnectAsync(app, app.AdminKey, ct);
        var nothingYet = await mcp.CallAsync("kill_sandbox", [], ct);
        var run = await mcp.CallAsync("run_code", new() { ["code"] = "1" }, ct);

        var extended = await mcp.CallAsync("extend_sandbox", new() { ["seconds"] = 3600 }, ct);
        var killed = await mcp.CallAsync("kill_sandbox", [], ct);

        Assert.True(nothingYet.IsError);
        Assert.NotEqual(true, extended.IsError);
        Assert.Contains("lifetime_s=3600", extended.Text(), StringComparison.Ordinal);
        Assert.Equal($"Killed sandbox {McpTestClient.SessionIdOf(run)}.", killed.Text());
        Assert.True(app.Machines.Last.IsDisposed);
    }

    private static async Task<string> AdminKeyIdAsync(CapsuleApp app, CancellationToken ct)
    {
        var keys = await app.Services.GetRequiredService<IApiKeyStore>().ListAsync(ct);
        return keys.Single(k => k.IsAdmin).Id;
    }
}
