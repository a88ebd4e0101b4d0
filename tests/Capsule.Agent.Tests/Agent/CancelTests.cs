using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class CancelTests
{
    [Fact]
    public async Task Cancel_RunningBash_Exit130NotTimedOutThenOk()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var (id, outcome) = await client.StartExecAsync(ExecLanguage.Bash, "echo started; sleep 100", onOutput: (_, _) => started.TrySetResult());
        await started.Task.Bounded();
        var reply = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Cancel, Id = client.NextId(), TargetId = id });
        var result = await outcome.Bounded();

        Assert.Equal(MessageKind.Ok, reply.Kind);
        Assert.Equal(130, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.Equal("started\n", result.Stdout);
    }

    [Fact]
    public async Task Cancel_RunningPython_Exit130AndStateKept()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        await client.ExecAsync(ExecLanguage.Python, "kept = 'still'");
        var (id, outcome) = await client.StartExecAsync(ExecLanguage.Python, "import time\nprint('go', flush=True)\ntime.sleep(100)",
            onOutput: (_, _) => started.TrySetResult());
        await started.Task.Bounded();
        var reply = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Cancel, Id = client.NextId(), TargetId = id });
        var result = await outcome.Bounded();
        var after = await client.ExecAsync(ExecLanguage.Python, "print(kept)");

        Assert.Equal(MessageKind.Ok, reply.Kind);
        Assert.Equal(130, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.Equal("still\n", after.Stdout);
    }

    [Fact]
    public async Task Cancel_QueuedPythonExec_EndsWithoutRunning()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var flag = Path.Join(agent.WorkDir, "release");

        var (_, blocker) = await client.StartExecAsync(ExecLanguage.Python,
            $"import os, time\nwhile not os.path.exists({PythonExecTests.PythonLiteral(flag)}): time.sleep(0.02)");
        var (queuedId, queued) = await client.StartExecAsync(ExecLanguage.Python, "ran = True\nprint('ran')");
        var reply = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Cancel, Id = client.NextId(), TargetId = queuedId });
        var cancelled = await queued.Bounded();
        await File.WriteAllTextAsync(flag, "", TestTimeouts.Token);
        await blocker.Bounded();
        var check = await client.ExecAsync(ExecLanguage.Python, "print('ran' in globals())");

        Assert.Equal(MessageKind.Ok, reply.Kind);
        Assert.Equal(130, cancelled.ExitCode);
        Assert.Equal("", cancelled.Stdout);
        Assert.Equal("False\n", check.Stdout);
    }

    [Fact]
    public async Task Cancel_UnknownTarget_Ok()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Cancel, Id = client.NextId(), TargetId = 424242 });

        Assert.Equal(MessageKind.Ok, reply.Kind);
    }
}
