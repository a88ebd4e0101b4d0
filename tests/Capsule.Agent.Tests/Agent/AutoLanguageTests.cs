using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class AutoLanguageTests
{
    [Fact]
    public async Task Exec_AutoWithPython_RunsInTheKernel()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Auto, "z = [1, 2, 3]");
        var outcome = await client.ExecAsync(ExecLanguage.Python, "print(sum(z))");

        Assert.Equal("6\n", outcome.Stdout);
    }

    [Fact]
    public async Task Exec_AutoWithShellSyntax_RunsAsBash()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Auto, "echo one && echo \"$0\"; exit 4");

        Assert.Equal("one\nbash\n", outcome.Stdout);
        Assert.Equal(4, outcome.ExitCode);
    }

    [Fact]
    public async Task Exec_AutoWithCommandThatParsesAsPython_RunsAsBash()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        await File.WriteAllTextAsync(Path.Join(agent.WorkDir, "marker.txt"), "", TestTimeouts.Token);

        // `ls -la` is valid python (ls minus la) but names a program, not a variable.
        var outcome = await client.ExecAsync(ExecLanguage.Auto, "ls -la");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("marker.txt", outcome.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_AutoWithUndefinedPythonName_StaysPython()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var outcome = await client.ExecAsync(ExecLanguage.Auto, "undefined_name_xyz + 1");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("NameError", outcome.Stderr, StringComparison.Ordinal);
    }
}
