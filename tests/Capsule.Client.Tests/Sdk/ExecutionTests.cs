using Capsule.Vm;

namespace Capsule.Client.Tests.Sdk;

/// <summary>Blocking and background executions through the SDK.</summary>
public sealed class ExecutionTests : SdkSessionTest
{
    [Fact]
    public async Task ExecuteAsync_FailingCode_ReturnsItsOutcomeAsData()
    {
        App.Machines.Script("boom", (_, _, _) => Task.FromResult(FakeMachineHost.Result("out\n", "Traceback\n", exitCode: 3)));

        var result = await Session.ExecuteAsync("boom", cancellationToken: Bounded.Token).Bound();

        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("Traceback\n", result.Stderr);
        Assert.Equal(3, result.ExitCode);
        Assert.False(result.TimedOut);
        Assert.Equal(TimeSpan.FromSeconds(0.25), result.ExecutionTime);
        Assert.Equal(TimeSpan.FromSeconds(0.125), result.CpuTime);
    }

    [Fact]
    public async Task ExecuteAsync_TimedOut_ReportsIt()
    {
        App.Machines.Script("sleep", (_, _, _) => Task.FromResult(FakeMachineHost.Result("partial", exitCode: 124, timedOut: true)));

        var result = await Session.ExecuteAsync("sleep", timeout: TimeSpan.FromSeconds(2), cancellationToken: Bounded.Token).Bound();

        Assert.True(result.TimedOut);
        Assert.Equal(124, result.ExitCode);
        Assert.Equal("partial", result.Stdout);
    }

    [Fact]
    public async Task ExecuteAsync_OutputCutAndOomKill_ReportedInResultAndTask()
    {
        var cut = FakeMachineHost.Result("xxxx", exitCode: 137) with { OutputTruncated = true, OomKilled = true };
        App.Machines.Script("hog", (_, _, _) => Task.FromResult(cut));

        var result = await Session.ExecuteAsync("hog", cancellationToken: Bounded.Token).Bound();
        var queued = await Session.ExecuteAsyncTask("hog", cancellationToken: Bounded.Token).Bound();
        var task = await Client.WaitForExecutionAsync(queued.TaskId, TimeSpan.FromMilliseconds(20), Bounded.Token).Bound();
        var plain = await Session.ExecuteAsync("print(1)", cancellationToken: Bounded.Token).Bound();

        Assert.True(result.Truncated);
        Assert.True(result.OomKilled);
        Assert.True(task.Truncated);
        Assert.True(task.OomKilled);
        Assert.False(plain.Truncated);
        Assert.False(plain.OomKilled);
    }

    [Theory]
    [InlineData(CodeLanguage.Auto, nameof(ExecLanguageKind.Auto))]
    [InlineData(CodeLanguage.Python, nameof(ExecLanguageKind.Python))]
    [InlineData(CodeLanguage.Bash, nameof(ExecLanguageKind.Bash))]
    public async Task ExecuteAsync_Language_ReachesTheGuest(CodeLanguage language, string expected)
    {
        await Session.ExecuteAsync("echo hi", language, cancellationToken: Bounded.Token).Bound();

        Assert.Equal(expected, Assert.Single(Assert.Single(App.Machines.Started).Execs).Language.ToString());
    }

    [Fact]
    public async Task ExecuteAsync_Timeout_SentInWholeSecondsRoundedUp()
    {
        await Session.ExecuteAsync("x", timeout: TimeSpan.FromSeconds(6.1), cancellationToken: Bounded.Token).Bound();
        await Session.ExecuteAsync("y", cancellationToken: Bounded.Token).Bound();

        var execs = Assert.Single(App.Machines.Started).Execs;
        Assert.Equal(TimeSpan.FromSeconds(7), execs[0].Timeout);
        Assert.Equal(TimeSpan.FromSeconds(60), execs[1].Timeout);
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutOutOfRange_ThrowsValidationWithTheServersDetails()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(
            () => Session.ExecuteAsync("x", timeout: TimeSpan.FromSeconds(601), cancellationToken: Bounded.Token)).Bound();

        var problem = Assert.Single(error.Errors);
        Assert.Equal(["body", "timeout"], problem.Location);
        Assert.Equal("less_than_equal", problem.Type);
        Assert.Equal("601", problem.Input);
        Assert.Contains("600", problem.Message, StringComparison.Ordinal);
        Assert.Contains(problem.Message, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsyncTask_ThenWait_ReturnsTheCompletedResult()
    {
        App.Machines.Script("work", (_, _, _) => Task.FromResult(FakeMachineHost.Result("done\n", "warn\n", exitCode: 0)));

        var queued = await Session.ExecuteAsyncTask("work", CodeLanguage.Python, cancellationToken: Bounded.Token).Bound();
        var task = await Client.WaitForExecutionAsync(queued.TaskId, TimeSpan.FromMilliseconds(10), Bounded.Token).Bound();

        Assert.True(Guid.TryParse(queued.TaskId, out _));
        Assert.Equal(Session.Id, queued.SessionId);
        Assert.Equal("queued", queued.Status);
        Assert.Equal(queued.TaskId, task.TaskId);
        Assert.Equal(Session.Id, task.SessionId);
        Assert.True(task.IsComplete);
        Assert.Equal("completed", task.Status);
        Assert.Equal("done\n", task.Stdout);
        Assert.Equal("warn\n", task.Stderr);
        Assert.Equal(0, task.ExitCode);
        Assert.Equal(TimeSpan.FromSeconds(0.25), task.ExecutionTime);
        Assert.Equal(CapsuleApp.Epoch, task.CreatedAt);
        Assert.NotNull(task.CompletedAt);
        Assert.Null(task.Error);
    }

    [Fact]
    public async Task ListExecutionsAsync_TwoTasks_NewestFirstWithTotal()
    {
        var first = await Session.ExecuteAsyncTask("one", cancellationToken: Bounded.Token).Bound();
        await Client.WaitForExecutionAsync(first.TaskId, TimeSpan.FromMilliseconds(10), Bounded.Token).Bound();
        App.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Session.ExecuteAsyncTask("two", cancellationToken: Bounded.Token).Bound();
        await Client.WaitForExecutionAsync(second.TaskId, TimeSpan.FromMilliseconds(10), Bounded.Token).Bound();

        var page = await Client.ListExecutionsAsync(limit: 1, offset: 0, Bounded.Token).Bound();
        var next = await Client.ListExecutionsAsync(limit: 1, offset: 1, Bounded.Token).Bound();

        Assert.Equal(2, page.Total);
        Assert.Equal(1, page.Limit);
        Assert.Equal(second.TaskId, Assert.Single(page.Executions).TaskId);
        Assert.Equal(1, next.Offset);
        Assert.Equal(first.TaskId, Assert.Single(next.Executions).TaskId);
    }

    [Fact]
    public async Task GetExecutionAsync_UnknownTask_ThrowsNotFoundRatherThanSessionNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => Client.GetExecutionAsync(Guid.NewGuid().ToString(), Bounded.Token)).Bound();

        Assert.IsNotType<SessionNotFoundException>(error);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }
}
