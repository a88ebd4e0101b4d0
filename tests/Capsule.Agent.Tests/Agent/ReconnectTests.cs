using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class ReconnectTests
{
    [Fact]
    public async Task Reconnect_AfterClose_PythonAndBashStateStillThere()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using (var first = await agent.ConnectAsync())
        {
            await first.ExecAsync(ExecLanguage.Python, "carried = 'over'");
            await first.ExecAsync(ExecLanguage.Bash, "export CARRIED=over; cd /");
        }

        await using var second = await agent.ConnectAsync();
        var python = await second.ExecAsync(ExecLanguage.Python, "print(carried)");
        var bash = await second.ExecAsync(ExecLanguage.Bash, "echo $CARRIED $PWD");

        Assert.Equal("over\n", python.Stdout);
        Assert.Equal("over /\n", bash.Stdout);
    }

    [Fact]
    public async Task Disconnect_DuringExec_ProcessTreeKilledAndInterpreterKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        int bashChild;
        int pythonChild;
        await using (var first = await agent.ConnectAsync())
        {
            await first.ExecAsync(ExecLanguage.Python, "kept = 1");
            var bashStarted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var pythonStarted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            await first.StartExecAsync(ExecLanguage.Bash, "sleep 1000 & echo $!; wait", onOutput: (_, text) => bashStarted.TrySetResult(text));
            await first.StartExecAsync(ExecLanguage.Python, "import subprocess\np = subprocess.Popen(['sleep', '1000'])\nprint(p.pid, flush=True)\np.wait()",
                onOutput: (_, text) => pythonStarted.TrySetResult(text));
            bashChild = ProcessCheck.FirstPid(await bashStarted.Task.Bounded());
            pythonChild = ProcessCheck.FirstPid(await pythonStarted.Task.Bounded());
        }

        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(bashChild), TimeSpan.FromSeconds(15)), "bash child survived");
        Assert.True(await TestTimeouts.EventuallyAsync(() => !ProcessCheck.IsAlive(pythonChild), TimeSpan.FromSeconds(15)), "python child survived");
        await using var second = await agent.ConnectAsync();
        var after = await second.ExecAsync(ExecLanguage.Python, "print(kept)");
        Assert.Equal("1\n", after.Stdout);
    }
}
