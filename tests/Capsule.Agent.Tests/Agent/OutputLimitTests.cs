using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

/// <summary>
/// The exec's <c>output_limit_bytes</c>: the agent forwards at most that many bytes per stream, keeps reading (and
/// dropping) the rest so the process never blocks on a full pipe, and says <c>truncated</c> in the exit frame.
/// These run the agent as a host process, without cgroups, which is also the "agent without cgroups" case.
/// </summary>
public sealed class OutputLimitTests
{
    private const long Limit = 100_000;

    [Fact]
    public async Task Bash_OutputOverLimit_CutAtLimitAndTruncated()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        // 1 MB on each stream, then a marker on stdout that must not arrive: everything past the cap is dropped.
        var outcome = await client.ExecAsync(ExecLanguage.Bash,
            "head -c 1000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2; echo END", outputLimitBytes: Limit);

        Assert.Equal(0, outcome.ExitCode);
        Assert.True(outcome.Truncated, outcome.ToString()[..200]);
        Assert.Equal(Limit, outcome.StdoutBytes);
        Assert.Equal(Limit, outcome.StderrBytes);
        Assert.Equal(new string('a', (int)Limit), outcome.Stdout);
        Assert.Equal(new string('b', (int)Limit), outcome.Stderr);
    }

    [Fact]
    public async Task Bash_OutputUnderLimit_NotTruncated()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "head -c 1000 /dev/zero | tr '\\0' a", outputLimitBytes: Limit);

        Assert.False(outcome.Truncated);
        Assert.Equal(1000, outcome.StdoutBytes);
    }

    [Fact]
    public async Task Bash_EndlessOutputWithTimeout_PartialOutputTruncatedAndSessionAnswers()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Bash, "yes", timeoutMs: 3000, outputLimitBytes: Limit);
        var after = await client.ExecAsync(ExecLanguage.Bash, "echo alive");

        Assert.True(outcome.TimedOut, outcome.ToString()[..200]);
        Assert.True(outcome.Truncated);
        Assert.Equal(Limit, outcome.StdoutBytes);
        Assert.StartsWith("y\ny\n", outcome.Stdout, StringComparison.Ordinal);
        Assert.Equal("alive\n", after.Stdout);
    }

    [Fact]
    public async Task Python_EndlessOutputWithTimeout_PartialOutputTruncatedAndStateKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Python, "kept = 42");
        var outcome = await client.ExecAsync(ExecLanguage.Python, "while True:\n    print('x' * 10000)", timeoutMs: 3000, outputLimitBytes: Limit);
        var after = await client.ExecAsync(ExecLanguage.Python, "print(kept)");

        Assert.True(outcome.TimedOut, outcome.ToString()[..200]);
        Assert.True(outcome.Truncated);
        Assert.Equal(Limit, outcome.StdoutBytes);
        Assert.Equal("42\n", after.Stdout);
        Assert.False(after.Truncated);
    }

    [Fact]
    public async Task Python_NoLimitGiven_EverythingForwarded()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Python, "import sys\nsys.stdout.write('z' * 300000)");

        Assert.False(outcome.Truncated);
        Assert.Equal(300_000, outcome.StdoutBytes);
    }

    [Fact]
    public async Task Python_ForkedChildFinishingTheCell_ExitsInsteadOfActingAsTheKernel()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        // The child falls out of the cell without os._exit: it must end there, not answer for the kernel.
        var forked = await client.ExecAsync(ExecLanguage.Python, """
            import os
            pid = os.fork()
            if pid:
                os.waitpid(pid, 0)
                print('parent')
            """);
        var next = await client.ExecAsync(ExecLanguage.Python, "print(pid != 0)");

        Assert.Equal("parent\n", forked.Stdout);
        Assert.Equal(0, forked.ExitCode);
        Assert.Equal("True\n", next.Stdout);
    }
}
