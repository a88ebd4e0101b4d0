using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class PythonExecTests
{
    [Fact]
    public async Task Exec_VariableSetInOneExec_VisibleInTheNext()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var first = await client.ExecAsync(ExecLanguage.Python, "x = 42");
        var second = await client.ExecAsync(ExecLanguage.Python, "print(x)");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal("", first.Stdout);
        Assert.Equal("42\n", second.Stdout);
        Assert.Equal(0, second.ExitCode);
        Assert.False(second.TimedOut);
    }

    [Fact]
    public async Task Exec_UncaughtException_ExitOneWithTracebackOnStderr()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, "print('before')\n1 / 0");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("before\n", outcome.Stdout);
        Assert.StartsWith("Traceback (most recent call last):", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("ZeroDivisionError: division by zero", outcome.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("kernel.py", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_SystemExit3_ExitCodeThreeAndInterpreterSurvives()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Python, "kept = 'yes'");
        var exit = await client.ExecAsync(ExecLanguage.Python, "raise SystemExit(3)");
        var after = await client.ExecAsync(ExecLanguage.Python, "import sys; print(kept); sys.exit()");

        Assert.Equal(3, exit.ExitCode);
        Assert.Equal("", exit.Stderr);
        Assert.Equal("yes\n", after.Stdout);
        Assert.Equal(0, after.ExitCode);
    }

    [Fact]
    public async Task Exec_LastStatementIsAnExpression_ValueNotEchoed()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, "y = 6\ny * 7");

        Assert.Equal("", outcome.Stdout);
        Assert.Equal(0, outcome.ExitCode);
    }

    [Fact]
    public async Task Exec_StdoutAndStderr_ArriveOnSeparateStreamsInOrder()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, """
            import sys, os
            for i in range(3):
                print(f"out{i}")
                print(f"err{i}", file=sys.stderr)
            os.system("echo from-child")
            """);

        Assert.Equal("out0\nout1\nout2\nfrom-child\n", outcome.Stdout);
        Assert.Equal("err0\nerr1\nerr2\n", outcome.Stderr);
    }

    [Fact]
    public async Task Exec_OutputWhileRunning_StreamsBeforeTheExecEnds()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var flag = Path.Join(agent.WorkDir, "go");

        // The exec can only end after the test saw its first line, so that line was streamed.
        var (_, outcome) = await client.StartExecAsync(ExecLanguage.Python, $$"""
            import os, time
            print("first")
            while not os.path.exists({{PythonLiteral(flag)}}):
                time.sleep(0.02)
            print("second")
            """, onOutput: (stream, text) =>
            {
                if (stream == OutputStream.Stdout && text == "first\n")
                    File.WriteAllText(flag, "");
            });
        var result = await outcome.Bounded();

        Assert.Equal("first\nsecond\n", result.Stdout);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Exec_CpuBoundCode_ReportsCpuAndWallTime()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, "sum(i * i for i in range(2_000_000))");

        Assert.True(outcome.CpuMs > 0, outcome.ToString());
        Assert.True(outcome.WallMs > 0, outcome.ToString());
    }

    [Fact]
    public async Task Exec_WorkingDirectory_IsTheWorkdir()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, "import os; print(os.getcwd())");

        Assert.Equal(agent.WorkDir + "\n", outcome.Stdout);
    }

    internal static string PythonLiteral(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
