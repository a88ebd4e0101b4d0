using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class BashExecTests
{
    [Fact]
    public async Task Exec_ExportAndCd_PersistToTheNextExec()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var sub = Path.Join(agent.WorkDir, "sub dir");

        await client.ExecAsync(ExecLanguage.Bash, $"export Y=7; mkdir -p '{sub}'; cd '{sub}'");
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo \"$Y|$PWD\"");

        Assert.Equal($"7|{sub}\n", outcome.Stdout);
    }

    [Fact]
    public async Task Exec_Unset_PersistsToTheNextExec()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Bash, "export GONE=1 KEPT='a b'");
        await client.ExecAsync(ExecLanguage.Bash, "unset GONE");
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo \"${GONE-unset}|$KEPT\"");

        Assert.Equal("unset|a b\n", outcome.Stdout);
    }

    [Fact]
    public async Task Exec_Exit3_ExitCodeThreeAndStateSaved()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var exit = await client.ExecAsync(ExecLanguage.Bash, "export AT_EXIT=saved; echo bye; exit 3");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo $AT_EXIT");

        Assert.Equal(3, exit.ExitCode);
        Assert.Equal("bye\n", exit.Stdout);
        Assert.Equal("saved\n", after.Stdout);
    }

    [Fact]
    public async Task Exec_FailingCommand_ItsStatusAndStderr()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo to-stderr >&2; no-such-command-xyz");

        Assert.Equal(127, outcome.ExitCode);
        Assert.StartsWith("to-stderr\n", outcome.Stderr, StringComparison.Ordinal);
        Assert.Contains("no-such-command-xyz: command not found", outcome.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_FirstRun_StartsInWorkdirWithBaseEnvAndEmptyStdin()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo \"$PWD|$HOME|$LANG|$PATH\"; cat; echo \"stdin:$?\"");

        Assert.Equal($"{agent.WorkDir}|/root|C.UTF-8|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nstdin:0\n", outcome.Stdout);
    }

    [Fact]
    public async Task Exec_TimedOut_LeavesPreviousStateIntact()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Bash, "export BEFORE=1");
        var killed = await client.ExecAsync(ExecLanguage.Bash, "export DURING=1; unset BEFORE; cd /; sleep 100", timeoutMs: 500);
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo \"${BEFORE-x}|${DURING-x}|$PWD\"");

        Assert.True(killed.TimedOut);
        Assert.Equal($"1|x|{agent.WorkDir}\n", after.Stdout);
    }

    [Fact]
    public async Task Exec_PipelineIntoHead_EndsWithoutHanging()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        // Needs SIGPIPE at its default in the child, which the agent itself ignores.
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "yes | head -n 2; echo \"${PIPESTATUS[0]}\"");

        Assert.Equal("y\ny\n141\n", outcome.Stdout);
    }
}
