using Capsule.Mcp;

namespace Capsule.Client.Tests.Mcp;

/// <summary>The tools of <c>capsule mcp</c> (backend: the SDK over HTTP) against the in-memory server and fake machines.</summary>
public sealed class StdioToolTests
{
    [Fact]
    public async Task ListTools_SameToolsAsTheServer()
    {
        await using var app = new CapsuleApp();
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);

        var tools = await mcp.Client.ListToolsAsync(cancellationToken: Bounded.Token).AsTask().Bound();

        Assert.Equal(
            ["create_sandbox", "download_file", "extend_sandbox", "kill_sandbox", "list_sandboxes", "run_code", "upload_file"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunCode_TwoCalls_ShareOneSessionAndReturnStdout()
    {
        await using var app = new CapsuleApp();
        app.Machines.Script("print(6*7)", FakeMachineHost.Result(stdout: "42\n"));
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);

        var first = await mcp.CallAsync("run_code", new() { ["code"] = "x = 6" });
        var second = await mcp.CallAsync("run_code", new() { ["code"] = "print(6*7)" });

        Assert.NotEqual(true, second.IsError);
        Assert.Contains("--- stdout ---\n42\n", PipedMcp.Text(second), StringComparison.Ordinal);
        Assert.Equal(PipedMcp.SessionIdOf(first), PipedMcp.SessionIdOf(second));
        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(["x = 6", "print(6*7)"], machine.Execs.Select(e => e.Code));
    }

    [Fact]
    public async Task RunCode_Timeout_IsErrorWithPartialOutput()
    {
        await using var app = new CapsuleApp();
        app.Machines.Script("sleep 9", FakeMachineHost.Result(stdout: "partial\n", exitCode: 124, timedOut: true));
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "sleep 9", ["language"] = "bash", ["timeout"] = 3 });

        Assert.True(result.IsError);
        Assert.StartsWith("The code timed out after 3 s", PipedMcp.Text(result), StringComparison.Ordinal);
        Assert.Contains("partial", PipedMcp.Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UploadThenDownload_RoundTrips()
    {
        await using var app = new CapsuleApp();
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var upload = await mcp.CallAsync("upload_file", new() { ["path"] = "bin/all.bin", ["content"] = Convert.ToBase64String(bytes), ["encoding"] = "base64" });
        var download = await mcp.CallAsync("download_file", new() { ["path"] = "/app/bin/all.bin", ["encoding"] = "base64" });

        Assert.NotEqual(true, upload.IsError);
        Assert.Equal(bytes, Convert.FromBase64String(PipedMcp.Text(download)));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(app.Machines.Last.HostPath("/app/bin/all.bin"), Bounded.Token));
    }

    [Fact]
    public async Task CreateListExtendKill_GoThroughTheApi()
    {
        await using var app = new CapsuleApp();
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);

        var created = await mcp.CallAsync("create_sandbox", new()
        {
            ["lifetime_seconds"] = 120,
            ["vcpu_count"] = 2,
            ["metadata"] = new Dictionary<string, string> { ["suite"] = "stdio" },
            ["env"] = new Dictionary<string, string> { ["A"] = "1" },
        });
        var id = PipedMcp.Text(created).Split(' ')[2];
        var list = await mcp.CallAsync("list_sandboxes", []);
        var extended = await mcp.CallAsync("extend_sandbox", new() { ["seconds"] = 600, ["session_id"] = id });
        var killed = await mcp.CallAsync("kill_sandbox", new() { ["session_id"] = id });
        var afterKill = await mcp.CallAsync("run_code", new() { ["code"] = "1", ["session_id"] = id });
        var invalid = await mcp.CallAsync("create_sandbox", new() { ["memory_mb"] = 3 });

        Assert.NotEqual(true, created.IsError);
        Assert.Contains($"{id}  status=active  vcpu=2", PipedMcp.Text(list), StringComparison.Ordinal);
        Assert.Contains("suite=stdio", PipedMcp.Text(list), StringComparison.Ordinal);
        Assert.Contains("lifetime_s=600", PipedMcp.Text(extended), StringComparison.Ordinal);
        Assert.Equal($"Killed sandbox {id}.", PipedMcp.Text(killed));
        Assert.True(afterKill.IsError);
        Assert.StartsWith($"Sandbox {id} has ended (it was killed)", PipedMcp.Text(afterKill), StringComparison.Ordinal);
        Assert.True(invalid.IsError);
        Assert.StartsWith("Invalid arguments: memory_mb:", PipedMcp.Text(invalid), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyB_CannotRunInKeyAsSession()
    {
        await using var app = new CapsuleApp();
        var (_, keyA) = await app.CreateKeyAsync(Bounded.Token);
        var (_, keyB) = await app.CreateKeyAsync(Bounded.Token);
        await using var a = await PipedMcp.StartAsync(app, keyA);
        await using var b = await PipedMcp.StartAsync(app, keyB);
        var sessionOfA = PipedMcp.SessionIdOf(await a.CallAsync("run_code", new() { ["code"] = "secret = 1" }));

        var run = await b.CallAsync("run_code", new() { ["code"] = "print(secret)", ["session_id"] = sessionOfA });

        Assert.True(run.IsError);
        Assert.StartsWith($"Sandbox {sessionOfA} does not exist for this API key", PipedMcp.Text(run), StringComparison.Ordinal);
        Assert.Equal(["secret = 1"], Assert.Single(app.Machines.Started).Execs.Select(e => e.Code));
    }

    [Fact]
    public async Task RunCode_ClientCancels_GuestProcessIsCancelled()
    {
        await using var app = new CapsuleApp();
        var sleeper = app.Machines.ScriptUntilCancelled("sleep forever");
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(Bounded.Token);

        var running = mcp.Client.CallToolAsync("run_code", new Dictionary<string, object?> { ["code"] = "sleep forever" },
            cancellationToken: call.Token).AsTask();
        await sleeper.Started.Bound();
        await call.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.Bound());
        await sleeper.Cancelled.Bound();
    }

    [Fact]
    public async Task BadKey_ToolSaysSo()
    {
        await using var app = new CapsuleApp();
        await using var mcp = await PipedMcp.StartAsync(app, "capsule_sk_wrong");

        var result = await mcp.CallAsync("run_code", new() { ["code"] = "1" });

        Assert.True(result.IsError);
        Assert.StartsWith("The Capsule server at", PipedMcp.Text(result), StringComparison.Ordinal);
        Assert.EndsWith("refused the API key; set CAPSULE_API_KEY to a valid key.", PipedMcp.Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosingStdin_KillsTheSessionItCreated()
    {
        await using var app = new CapsuleApp();
        var mcp = await PipedMcp.StartAsync(app, app.AdminKey);
        await mcp.CallAsync("run_code", new() { ["code"] = "1" });
        Assert.False(app.Machines.Last.IsDisposed);

        await mcp.DisposeAsync();

        Assert.True(app.Machines.Last.IsDisposed);
    }

    [Fact]
    public async Task OwnSandbox_UsesTheConnectionLifetime()
    {
        await using var app = new CapsuleApp();
        await using var mcp = await PipedMcp.StartAsync(app, app.AdminKey);

        var run = await mcp.CallAsync("run_code", new() { ["code"] = "1" });
        var list = await mcp.CallAsync("list_sandboxes", []);

        Assert.Contains($"{PipedMcp.SessionIdOf(run)}  status=active", PipedMcp.Text(list), StringComparison.Ordinal);
        Assert.Contains("(this connection's sandbox)", PipedMcp.Text(list), StringComparison.Ordinal);
        using var sdk = app.Sdk(app.AdminKey);
        var info = await sdk.GetSession(PipedMcp.SessionIdOf(run)).GetInfoAsync(Bounded.Token).Bound();
        Assert.Equal(TimeSpan.FromSeconds(SandboxConnection.OwnSandboxLifetimeSeconds), info.Lifetime);
    }
}
