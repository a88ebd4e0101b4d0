using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class EnvTests
{
    [Fact]
    public async Task SetEnv_Values_SeenByPythonAndBash()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.SetEnvAsync(new() { ["API_TOKEN"] = "s3cr3t 'quoted' $x", ["LANG"] = "en_US.UTF-8" });
        var python = await client.ExecAsync(ExecLanguage.Python, "import os; print(os.environ['API_TOKEN']); print(os.environ['LANG'])");
        var bash = await client.ExecAsync(ExecLanguage.Bash, "echo \"$API_TOKEN\"; echo \"$LANG\"; python3 -c 'import os; print(os.environ[\"API_TOKEN\"])'");

        Assert.Equal(MessageKind.Ok, reply.Kind);
        Assert.Equal("s3cr3t 'quoted' $x\nen_US.UTF-8\n", python.Stdout);
        Assert.Equal("s3cr3t 'quoted' $x\nen_US.UTF-8\ns3cr3t 'quoted' $x\n", bash.Stdout);
    }

    [Fact]
    public async Task SetEnv_AfterBashExport_BothKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        await client.ExecAsync(ExecLanguage.Bash, "export FROM_SHELL=1");
        await client.SetEnvAsync(new() { ["FROM_HOST"] = "2" });
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo $FROM_SHELL$FROM_HOST");

        Assert.Equal("12\n", outcome.Stdout);
    }

    [Fact]
    public async Task SetEnv_WhileBashRuns_NotLostWhenItSavesItsState()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var flag = Path.Join(agent.WorkDir, "env-sent");

        var (_, running) = await client.StartExecAsync(ExecLanguage.Bash, $"export MINE=1; while [ ! -e '{flag}' ]; do sleep 0.02; done");
        await client.SetEnvAsync(new() { ["LATE"] = "3" });
        await File.WriteAllTextAsync(flag, "", TestTimeouts.Token);
        await running.Bounded();
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo $MINE$LATE");

        Assert.Equal("13\n", outcome.Stdout);
    }

    [Fact]
    public async Task SetEnv_NameWithEquals_ErrorBadRequest()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.SetEnvAsync(new() { ["A=B"] = "1" });

        Assert.Equal(MessageKind.Error, reply.Kind);
        Assert.Equal(AgentErrorCode.BadRequest, reply.ErrorCode);
    }
}
