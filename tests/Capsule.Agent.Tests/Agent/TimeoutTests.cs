using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class TimeoutTests
{
    private static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(15);

    // Long enough for the code to print what the test reads before the timeout hits, even on a busy machine.
    private const int TimeoutMs = 3000;

    [Fact]
    public async Task Python_Timeout_PartialOutputAndStateSurvives()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Python, "survivor = 5");
        var timedOut = await client.ExecAsync(ExecLanguage.Python, "import time\nprint('partial', flush=True)\ntime.sleep(100)", TimeoutMs);
        var after = await client.ExecAsync(ExecLanguage.Python, "print(survivor)");

        Assert.True(timedOut.TimedOut, timedOut.ToString());
        Assert.Equal(124, timedOut.ExitCode);
        Assert.Equal("partial\n", timedOut.Stdout);
        Assert.Contains("KeyboardInterrupt", timedOut.Stderr, StringComparison.Ordinal);
        Assert.Equal("5\n", after.Stdout);
    }

    [Fact]
    public async Task Python_Timeout_KillsChildProcesses()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, """
            import subprocess, time
            child = subprocess.Popen(["sleep", "1000"], start_new_session=True)
            print(child.pid, flush=True)
            time.sleep(100)
            """, TimeoutMs);
        var pid = ProcessCheck.FirstPid(outcome.Stdout);

        Assert.True(outcome.TimedOut);
        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(pid), GoneWithin), $"sleep {pid} survived the timeout");
    }

    [Fact]
    public async Task Python_InterruptSwallowed_InterpreterRestartedAndSessionUsable()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Python, "lost = 1");
        var stuck = await client.ExecAsync(ExecLanguage.Python, """
            import time
            while True:
                try:
                    print("inside", flush=True)
                    time.sleep(100)
                except KeyboardInterrupt:
                    pass
            """, TimeoutMs);
        var after = await client.ExecAsync(ExecLanguage.Python, "print('lost' in globals())");

        Assert.True(stuck.TimedOut);
        Assert.Equal(124, stuck.ExitCode);
        Assert.StartsWith("inside\n", stuck.Stdout, StringComparison.Ordinal);
        Assert.Contains("was restarted", stuck.Stderr, StringComparison.Ordinal);
        Assert.Equal("False\n", after.Stdout);
        Assert.Equal(0, after.ExitCode);
    }

    [Fact]
    public async Task Bash_Timeout_PartialOutputAndBackgroundChildKilled()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "sleep 1000 & echo $!; echo partial; sleep 100", TimeoutMs);
        var pid = ProcessCheck.FirstPid(outcome.Stdout);
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo alive");

        Assert.True(outcome.TimedOut);
        Assert.Equal(124, outcome.ExitCode);
        Assert.EndsWith("partial\n", outcome.Stdout, StringComparison.Ordinal);
        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(pid), GoneWithin), $"sleep {pid} survived the timeout");
        Assert.Equal("alive\n", after.Stdout);
    }

    [Fact]
    public async Task Bash_Timeout_ChildInItsOwnSessionKilled()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "setsid sleep 1000 & echo $!; wait", TimeoutMs);
        var pid = ProcessCheck.FirstPid(outcome.Stdout);

        Assert.True(outcome.TimedOut);
        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(pid), GoneWithin), $"setsid sleep {pid} survived the timeout");
    }

    [Fact]
    public async Task Bash_BackgroundChildOfFinishedExec_ExecReturnsAndChildKeepsRunning()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "sleep 1000 & echo $!");
        var pid = ProcessCheck.FirstPid(outcome.Stdout);

        Assert.Equal(0, outcome.ExitCode);
        Assert.False(outcome.TimedOut);
        Assert.True(ProcessCheck.IsAlive(pid));
        await client.ExecAsync(ExecLanguage.Bash, $"kill {pid}");
    }
}
