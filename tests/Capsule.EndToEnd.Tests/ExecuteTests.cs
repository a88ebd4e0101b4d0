namespace Capsule.EndToEnd.Tests;

/// <summary>Python and bash in a real VM, through the HTTP API, on one shared session.</summary>
[Collection(ServerCollection.Name)]
public sealed class ExecuteTests(ServerFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Execute_PythonVariable_PersistsToNextCall()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var first = await Api.ExecuteAsync(client, fixture.SharedSessionId, "x = 42", "python", Token);
        var second = await Api.ExecuteAsync(client, fixture.SharedSessionId, "print(x)", null, Token);

        Assert.Equal(0, first["exit_code"]!.GetValue<int>());
        Assert.Equal("42", second["stdout"]!.GetValue<string>().Trim());
    }

    [Fact]
    public async Task Execute_EnvFromCreate_ReachesBashAndPython()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var bash = await Api.ExecuteAsync(client, fixture.SharedSessionId, "echo \"$FOO|$GREETING\"", "bash", Token);
        var python = await Api.ExecuteAsync(
            client, fixture.SharedSessionId, "import os; print(os.environ['FOO'], os.environ['GREETING'], sep='|')", "python", Token);

        Assert.Equal("bar-42|hello world", bash["stdout"]!.GetValue<string>().Trim());
        Assert.Equal("bar-42|hello world", python["stdout"]!.GetValue<string>().Trim());
    }

    [Fact]
    public async Task Execute_BashExportAndCd_PersistToNextCall()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        await Api.ExecuteAsync(client, fixture.SharedSessionId, "cd /app && pwd", "bash", Token);
        await Api.ExecuteAsync(client, fixture.SharedSessionId, "export MY_VAR=1; cd /tmp", "bash", Token);
        var after = await Api.ExecuteAsync(client, fixture.SharedSessionId, "echo $MY_VAR; pwd", "bash", Token);
        await Api.ExecuteAsync(client, fixture.SharedSessionId, "unset MY_VAR; cd /app", "bash", Token);

        Assert.Equal(["1", "/tmp"], after["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Execute_BashExitCode_IsReturned()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var result = await Api.ExecuteAsync(client, fixture.SharedSessionId, "echo out; echo err >&2; exit 3", "bash", Token);

        Assert.Equal(3, result["exit_code"]!.GetValue<int>());
        Assert.Equal("out\n", result["stdout"]!.GetValue<string>());
        Assert.Equal("err\n", result["stderr"]!.GetValue<string>());
        Assert.False(result["timed_out"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Execute_Timeout_ReturnsPartialOutputAndSessionStillWorks()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();
        await Api.ExecuteAsync(client, fixture.SharedSessionId, "kept = 'still here'", "python", Token);

        var timedOut = await Api.ExecuteAsync(
            client, fixture.SharedSessionId, "import time\nprint('before', flush=True)\ntime.sleep(600)", "python", Token, timeoutSeconds: 3);
        var bashTimedOut = await Api.ExecuteAsync(
            client, fixture.SharedSessionId, "echo partial; sleep 600 & sleep 600", "bash", Token, timeoutSeconds: 2);
        var after = await Api.ExecuteAsync(client, fixture.SharedSessionId, "print(kept)", "python", Token);
        var sleepers = await Api.ExecuteAsync(client, fixture.SharedSessionId, "pgrep -c -x sleep || true", "bash", Token);

        Assert.True(timedOut["timed_out"]!.GetValue<bool>());
        Assert.Contains("before", timedOut["stdout"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(bashTimedOut["timed_out"]!.GetValue<bool>());
        Assert.Equal("partial\n", bashTimedOut["stdout"]!.GetValue<string>());
        Assert.Equal("still here", after["stdout"]!.GetValue<string>().Trim());
        Assert.Equal("0", sleepers["stdout"]!.GetValue<string>().Trim());
    }

    [Fact]
    public async Task Execute_Result_HasInstaVmFieldsAndWorkingDirectoryApp()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var result = await Api.ExecuteAsync(client, fixture.SharedSessionId, "import os; print(os.getcwd())", "python", Token);

        Assert.Equal("/app", result["stdout"]!.GetValue<string>().Trim());
        Assert.Equal("", result["stderr"]!.GetValue<string>());
        Assert.True(result["execution_time"]!.GetValue<double>() > 0);
        Assert.True(result["cpu_time"]!.GetValue<double>() >= 0);
        Assert.Equal(0, result["exit_code"]!.GetValue<int>());
    }
}
