using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

/// <summary>The agent as PID 1 of its own pid namespace, as in the guest.</summary>
public sealed class Pid1Tests
{
    [Fact]
    public async Task AsInit_OrphanedGrandchildren_Reaped()
    {
        await using var agent = await AgentProcess.StartAsync(asInit: true);
        await using var client = await agent.ConnectAsync();

        // Each ( ... &) leaves an orphan that is re-parented to PID 1 and must be reaped there.
        var outcome = await client.ExecAsync(ExecLanguage.Bash, """
            echo "pid1=$(cat /proc/1/comm)"
            for i in 1 2 3 4 5; do (sh -c 'exit 0' &); done
            sleep 1.5
            zombies=0
            for f in /proc/[0-9]*/stat; do
              read -r line < "$f" 2>/dev/null || continue
              state=${line##*) }; state=${state%% *}
              [ "$state" = Z ] && zombies=$((zombies + 1))
            done
            echo "zombies=$zombies"
            """);

        Assert.Contains("zombies=0\n", outcome.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("pid1=unshare", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AsInit_TerminationSignalsFromUserCode_IgnoredAndStillServing()
    {
        await using var agent = await AgentProcess.StartAsync(asInit: true);
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Python, "before = 1");
        var signals = await client.ExecAsync(ExecLanguage.Bash, "for s in TERM INT HUP QUIT; do kill -s $s 1; done; sleep 0.5; echo sent");
        var outcome = await client.ExecAsync(ExecLanguage.Python, "print(before)");

        Assert.Equal("sent\n", signals.Stdout);
        Assert.Equal("1\n", outcome.Stdout);
    }

    [Fact]
    public async Task AsInitOnATerminal_ManyShortExecs_EveryOneEnds()
    {
        // The guest's PID 1 has the console as stdio; the .NET runtime then installs a SIGCHLD
        // handler that, left in place, reaps children before the agent's reaper sees them.
        await using var agent = await AgentProcess.StartAsync(asInit: true, onTerminal: true);
        await using var client = await agent.ConnectAsync();

        for (var i = 0; i < 30; i++)
        {
            var outcome = await client.ExecAsync(ExecLanguage.Bash, $"exit {i % 7}");
            Assert.Equal(i % 7, outcome.ExitCode);
        }
    }
}
