using Capsule.Vm;

namespace Capsule.Server.Tests.Sessions;

public sealed class ExecuteTests
{
    [Fact]
    public async Task Execute_ScriptedResult_ReturnsExactShape()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("import sys; print('out'); sys.exit(3)",
            FakeMachineHost.Result(stdout: "out\n", stderr: "warn\n", exitCode: 3, wallSeconds: 1, cpuSeconds: 0.5));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject
        {
            ["command"] = "import sys; print('out'); sys.exit(3)",
            ["session_id"] = sessionId,
        }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body,
            ("stdout", JsonValueKind.String), ("stderr", JsonValueKind.String), ("execution_time", JsonValueKind.Number),
            ("cpu_time", JsonValueKind.Number), ("exit_code", JsonValueKind.Number), ("timed_out", JsonValueKind.False),
            ("truncated", JsonValueKind.False), ("oom_killed", JsonValueKind.False));
        Assert.Equal("out\n", (string?)body!["stdout"]);
        Assert.Equal("warn\n", (string?)body["stderr"]);
        Assert.Equal(1.0, (double)body["execution_time"]!);
        Assert.Equal(0.5, (double)body["cpu_time"]!);
        Assert.Equal(3, (int)body["exit_code"]!);
        JsonShape.AssertFloat(body, "execution_time");
        JsonShape.AssertFloat(body, "cpu_time");
    }

    [Fact]
    public async Task Execute_GuestTimeout_ReturnsPartialOutputWithTimedOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("sleep 100", FakeMachineHost.Result(stdout: "partial", exitCode: 124, timedOut: true, wallSeconds: 2));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject
        {
            ["command"] = "sleep 100",
            ["session_id"] = sessionId,
            ["language"] = "bash",
            ["timeout"] = 2,
        }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)body!["timed_out"]!);
        Assert.Equal(124, (int)body["exit_code"]!);
        Assert.Equal("partial", (string?)body["stdout"]);
        var request = Assert.Single(app.Machines.Last.Execs);
        Assert.Equal(TimeSpan.FromSeconds(2), request.Timeout);
        Assert.Equal(ExecLanguageKind.Bash, request.Language);
    }

    [Fact]
    public async Task Execute_FirstCallSpawns_LaterCallsReuseTheMachine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await client.ExecuteOkAsync(sessionId, "x = 42", ct);
        await client.ExecuteOkAsync(sessionId, "print(x)", ct);

        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(["x = 42", "print(x)"], machine.Execs.Select(e => e.Code));
    }

    [Fact]
    public async Task Execute_ConcurrentCallsOnOneSession_ShareOneMachine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.ExecuteOkAsync(sessionId, $"print({i})", ct)));

        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(8, machine.Execs.Count);
    }

    [Theory]
    [InlineData("python", "Python")]
    [InlineData("bash", "Bash")]
    [InlineData(null, "Auto")]
    public async Task Execute_Language_MapsToGuestLanguage(string? language, string expectedKind)
    {
        var expected = Enum.Parse<ExecLanguageKind>(expectedKind);
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.PostJsonAsync("/execute", new JsonObject
        {
            ["command"] = "ls -la",
            ["session_id"] = sessionId,
            ["language"] = language,
        }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        var request = Assert.Single(app.Machines.Last.Execs);
        Assert.Equal(expected, request.Language);
        Assert.Equal(TimeSpan.FromSeconds(60), request.Timeout);
    }

    [Fact]
    public async Task Execute_LanguageAbsent_IsAuto()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await client.ExecuteOkAsync(sessionId, "ls -la", ct);

        Assert.Equal(ExecLanguageKind.Auto, Assert.Single(app.Machines.Last.Execs).Language);
    }

    [Fact]
    public async Task Execute_CodeInsteadOfCommand_RunsCode()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["code"] = "print(2)", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("print(2)\n", (string?)body!["stdout"]);
    }

    [Fact]
    public async Task Execute_CommandAndCode_CommandWins()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        await client.PostJsonAsync("/execute", new JsonObject
        {
            ["command"] = "print('command')",
            ["code"] = "print('code')",
            ["session_id"] = sessionId,
            ["vault_ids"] = new JsonArray("v1"),
        }, ct);

        Assert.Equal("print('command')", Assert.Single(app.Machines.Last.Execs).Code);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("6a1f7f1e-8d3c-4a53-9d0a-3c0f6f0b9a11")]
    public async Task Execute_UnknownSession_Returns404(string sessionId)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Session not found"}""", body);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Execute_MachineCrashed_StatusCrashedAndNextExecuteGetsFreshMachine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);
        var first = app.Machines.Last;

        first.Crash();
        await Eventually.HoldsAsync(async () =>
            (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"] == "crashed", "status says crashed", ct);
        await client.ExecuteOkAsync(sessionId, "print(1)", ct);

        Assert.True(first.IsDisposed);
        Assert.Equal(2, app.Machines.Started.Count);
        Assert.NotEqual(first.MachineId, app.Machines.Last.MachineId);
        var status = await client.StatusOkAsync(sessionId, ct);
        Assert.Equal("active", (string?)status["vm_status"]);
        Assert.Equal(app.Machines.Last.MachineId, (string?)status["vm_id"]);
    }

    [Fact]
    public async Task Execute_RespawnAfterKill_ReappliesSessionEnv()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["env"] = new JsonObject { ["A"] = "1" } });

        await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        await client.ExecuteOkAsync(sessionId, "print(1)", ct);

        Assert.Equal(2, app.Machines.Started.Count);
        Assert.Equal(new Dictionary<string, string> { ["A"] = "1" }, app.Machines.Last.Env);
    }

    [Fact]
    public async Task Execute_OutputWithHtmlAndQuotes_WrittenUnescapedOnTheWire()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("html", FakeMachineHost.Result(stdout: "<b>it's</b> & é\n"));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/execute")
        {
            Content = new StringContent(new JsonObject { ["command"] = "html", ["session_id"] = sessionId }.ToJsonString(),
                System.Text.Encoding.UTF8, "application/json"),
        };

        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"stdout\":\"<b>it's</b> & é\\n\"", text, StringComparison.Ordinal);
    }
}
