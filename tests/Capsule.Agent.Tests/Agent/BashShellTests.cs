using System.Globalization;
using System.Text;
using Capsule.Agent.Native;
using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

/// <summary>
/// The warm shell that forks one shell per call: nothing a call does to its own shell reaches the session's saved
/// cwd and exports other than by a normal end, and the warm shell itself serves call after call.
/// </summary>
public sealed class BashShellTests
{
    private const int SigStop = 19;
    private const int SigCont = 18;

    [Fact]
    public async Task Exec_Exit3MidCall_RestSkippedAndLaterCallsKeepCwdAndExports()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var exit = await client.ExecAsync(ExecLanguage.Bash, "export MID=1; mkdir -p sub; cd sub; exit 3; echo never; export MID=2");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo \"$MID|$PWD\"");
        var later = await client.ExecAsync(ExecLanguage.Bash, "echo \"$MID|$PWD\"");

        Assert.Equal(3, exit.ExitCode);
        Assert.Equal("", exit.Stdout);
        Assert.Equal($"1|{agent.WorkDir}/sub\n", after.Stdout);
        Assert.Equal(after.Stdout, later.Stdout);
    }

    [Fact]
    public async Task Exec_SetEWithFailingCommand_StopsThereKeepsStateAndOptionIsNotKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var failed = await client.ExecAsync(ExecLanguage.Bash, "set -e; export SET_E=kept; false; echo never");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo \"$SET_E\"; false; echo \"still running, -$-\"");

        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("", failed.Stdout);
        Assert.Equal(0, after.ExitCode);
        Assert.StartsWith("kept\nstill running, -", after.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("e", after.Stdout.Split('-')[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_CdIntoFolderThenDeleteIt_NextCallStartsInWorkdirWithExports()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var deleted = await client.ExecAsync(ExecLanguage.Bash, "mkdir doomed && cd doomed && rmdir \"$PWD\" && export AFTER_RM=1; echo \"$PWD\"");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo \"$PWD|$AFTER_RM\"; pwd -P");

        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal($"{agent.WorkDir}/doomed\n", deleted.Stdout);
        Assert.False(Directory.Exists(Path.Join(agent.WorkDir, "doomed")));
        Assert.Equal(0, after.ExitCode);
        Assert.Equal($"{agent.WorkDir}|1\n{agent.WorkDir}\n", after.Stdout);
    }

    [Fact]
    public async Task Exec_BackgroundJobHoldingStdout_CallEndsAndItsLaterOutputGoesNowhere()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var flag = Path.Join(agent.WorkDir, "go");

        var started = await client.ExecAsync(ExecLanguage.Bash,
            $"export BG=1; (while [ ! -e '{flag}' ]; do sleep 0.02; done; echo late; echo late >&2) & echo $!");
        var pid = ProcessCheck.FirstPid(started.Stdout);
        var aliveAfterCall = ProcessCheck.IsAlive(pid);
        await File.WriteAllTextAsync(flag, "", TestTimeouts.Token);
        var gone = await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(pid), TimeSpan.FromSeconds(15));
        var next = await client.ExecAsync(ExecLanguage.Bash, "echo \"next $BG\"");

        Assert.Equal(0, started.ExitCode);
        Assert.True(aliveAfterCall, "the background job was killed when its call ended");
        Assert.True(gone, $"background job {pid} still runs after its flag");
        Assert.Equal("next 1\n", next.Stdout);
        Assert.Equal("", next.Stderr);
    }

    [Fact]
    public async Task Exec_ExecReplacesTheCallsShell_ItsExitCodeAndStateBeforeKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Bash, "export EXEC_VAR=before");
        var execTrue = await client.ExecAsync(ExecLanguage.Bash, "export EXEC_VAR=during; cd /; exec true; echo never");
        var execFalse = await client.ExecAsync(ExecLanguage.Bash, "exec false");
        var execOutput = await client.ExecAsync(ExecLanguage.Bash, "exec sh -c 'echo from-sh; exit 5'");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo \"$EXEC_VAR|$PWD\"");

        Assert.Equal(0, execTrue.ExitCode);
        Assert.Equal("", execTrue.Stdout);
        Assert.Equal(1, execFalse.ExitCode);
        Assert.Equal(5, execOutput.ExitCode);
        Assert.Equal("from-sh\n", execOutput.Stdout);
        Assert.Equal($"before|{agent.WorkDir}\n", after.Stdout);
    }

    [Fact]
    public async Task Exec_TenThousandLineFunction_RunsAndIsNotKeptButExportsAre()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var code = new StringBuilder("big() {\n");
        for (var i = 0; i < 10_000; i++)
            code.Append("  n=$((n + 1))\n");
        code.Append("}\nexport -f big\nbig; echo \"$n\"; export BIG_DONE=yes\n");

        var defined = await client.ExecAsync(ExecLanguage.Bash, code.ToString());
        var after = await client.ExecAsync(ExecLanguage.Bash, "type big >/dev/null 2>&1 && echo kept || echo gone; echo \"$BIG_DONE\"");

        Assert.Equal(0, defined.ExitCode);
        Assert.Equal("10000\n", defined.Stdout);
        Assert.Equal("gone\nyes\n", after.Stdout);
    }

    [Fact]
    public async Task Exec_ConsecutiveCalls_ServedByTheSameWarmShellEachInAShellOfItsOwn()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        const string Probe = "read -r stat < /proc/$$/stat; ppid=${stat##*) }; ppid=${ppid#* }; echo \"$$ ${ppid%% *} $BASHPID\"";

        var first = Pids(await client.ExecAsync(ExecLanguage.Bash, Probe));
        await client.ExecAsync(ExecLanguage.Bash, "sleep 100", timeoutMs: 500);
        await client.ExecAsync(ExecLanguage.Bash, "exit 9");
        var second = Pids(await client.ExecAsync(ExecLanguage.Bash, Probe));

        Assert.Equal(first.Shell, second.Shell);
        Assert.Equal(agent.Pid, first.ShellParent);
        Assert.NotEqual(first.Shell, first.Call);
        Assert.NotEqual(first.Call, second.Call);
    }

    [Fact]
    public async Task Exec_CallsSideBySide_BothRunAtOnce()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var flag = Path.Join(agent.WorkDir, "from-second");

        var (_, first) = await client.StartExecAsync(ExecLanguage.Bash, $"while [ ! -e '{flag}' ]; do sleep 0.02; done; echo first");
        var second = await client.ExecAsync(ExecLanguage.Bash, $"touch '{flag}'; echo second");
        var firstDone = await first.Bounded();

        Assert.Equal("second\n", second.Stdout);
        Assert.Equal("first\n", firstDone.Stdout);
    }

    [Fact]
    public async Task Exec_SignalsToTheWarmShell_TermIgnoredKillReplacesItAndStateSurvives()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var before = await client.ExecAsync(ExecLanguage.Bash, "export SURVIVES=1; cd /; echo $$");
        var term = await client.ExecAsync(ExecLanguage.Bash, "kill -TERM $$ && echo sent; echo $$");
        var kill = await client.ExecAsync(ExecLanguage.Bash, "kill -KILL $$; export AFTER_KILL=2; echo still-here");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo \"$SURVIVES $AFTER_KILL $PWD $$\"");

        Assert.Equal($"sent\n{before.Stdout}", term.Stdout);
        Assert.Equal(0, kill.ExitCode);
        Assert.Equal("still-here\n", kill.Stdout);
        var fields = after.Stdout.Trim().Split(' ');
        Assert.Equal(["1", "2", "/"], fields[..3]);
        Assert.NotEqual(before.Stdout.Trim(), fields[3]);
    }

    [Fact]
    public async Task Exec_CallKilledBySignal_128PlusSignalAndStateBeforeKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Bash, "export SIG=before");
        var killed = await client.ExecAsync(ExecLanguage.Bash, "export SIG=during; echo out; kill -KILL $BASHPID; echo never");
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo $SIG");

        Assert.Equal(137, killed.ExitCode);
        Assert.Equal("out\n", killed.Stdout);
        Assert.Equal("before\n", after.Stdout);
    }

    [Fact]
    public async Task Exec_SpareDiesWithTheOrderUnread_HandedToANewSpareAndRunsOnce()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var spare = await SpareAsync(agent, client);
        var log = Path.Join(agent.WorkDir, "runs");

        // Stopped, the spare leaves its wake-up byte in the pipe; killed, it never reads its order.
        Assert.Equal(0, Libc.kill(spare, SigStop));
        var (_, outcome) = await client.StartExecAsync(ExecLanguage.Bash, $"echo run >> '{log}'; echo $BASHPID");
        Assert.Equal(0, Libc.kill(spare, Libc.SIGKILL));
        var result = await outcome.Bounded();

        Assert.Equal(0, result.ExitCode);
        Assert.NotEqual($"{spare}\n", result.Stdout);
        Assert.Equal("run\n", await File.ReadAllTextAsync(log, TestTimeouts.Token));
    }

    [Fact]
    public async Task Exec_TimeoutBeforeTheSpareTookTheOrder_EndsWithoutRunningAndTheSpareIsReplaced()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var warm = int.Parse((await client.ExecAsync(ExecLanguage.Bash, "echo $$")).Stdout, CultureInfo.InvariantCulture);
        var spare = await SpareAsync(agent, client);
        var marker = Path.Join(agent.WorkDir, "ran");

        Assert.Equal(0, Libc.kill(spare, SigStop));
        var timedOut = await client.ExecAsync(ExecLanguage.Bash, $"touch '{marker}'", timeoutMs: 500);
        var spareGone = !ProcessCheck.IsAlive(spare);
        _ = Libc.kill(spare, SigCont); // in case it was not killed: then it would read its order now
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo $$ $BASHPID");

        Assert.True(timedOut.TimedOut);
        Assert.Equal(124, timedOut.ExitCode);
        Assert.True(spareGone, "the spare that held the withdrawn order still runs");
        Assert.Equal($"{warm}", after.Stdout.Split(' ')[0]);
        Assert.NotEqual($"{spare}\n", after.Stdout.Split(' ')[1]);
        Assert.False(File.Exists(marker), "the withdrawn exec ran");
    }

    [Fact]
    public async Task Exec_WarmShellStoppedWithNoSpare_TimesOutWithoutRunningAndKilledShellIsReplaced()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var warm = int.Parse((await client.ExecAsync(ExecLanguage.Bash, "echo $$")).Stdout, CultureInfo.InvariantCulture);
        var spare = await SpareAsync(agent, client);
        var marker = Path.Join(agent.WorkDir, "ran");

        // No spare and a warm shell that cannot fork one: the exec waits for one until its timeout.
        Assert.Equal(0, Libc.kill(warm, SigStop));
        Assert.Equal(0, Libc.kill(spare, Libc.SIGKILL));
        var timedOut = await client.ExecAsync(ExecLanguage.Bash, $"touch '{marker}'", timeoutMs: 500);
        Assert.Equal(0, Libc.kill(warm, Libc.SIGKILL));
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo $$");

        Assert.True(timedOut.TimedOut);
        Assert.False(File.Exists(marker), "the exec ran after its timeout");
        Assert.Equal(0, after.ExitCode);
        Assert.NotEqual($"{warm}\n", after.Stdout);
    }

    /// <summary>The agent's idle spare shell (a bash child of the agent that is not the warm shell), once there is one.</summary>
    private static async Task<int> SpareAsync(AgentProcess agent, AgentClient client)
    {
        var warm = int.Parse((await client.ExecAsync(ExecLanguage.Bash, "echo $$")).Stdout, CultureInfo.InvariantCulture);
        var spare = 0;
        var found = await TestTimeouts.EventuallyAsync(() =>
        {
            var spares = ProcessCheck.BashChildren(agent.Pid, except: warm);
            spare = spares.Count == 1 ? spares[0] : 0;
            // Blocked reading its wake-up pipe: it has said ready by then.
            return spare != 0 && ReadOrEmpty($"/proc/{spare}/wchan").Contains("pipe", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15));
        Assert.True(found, "no spare shell appeared");
        return spare;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static (int Shell, int ShellParent, int Call) Pids(ExecOutcome outcome)
    {
        var parts = outcome.Stdout.Trim().Split(' ').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return (parts[0], parts[1], parts[2]);
    }
}
