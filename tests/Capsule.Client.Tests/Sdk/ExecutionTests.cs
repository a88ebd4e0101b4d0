using Capsule.Vm;

namespace Capsule.Client.Tests.Sdk;

/// <summary>Blocking and background executions through the SDK.</summary>
public sealed class ExecutionTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();
    private CapsuleClient _client = null!;
    private Session _session = null!;

    public async ValueTask InitializeAsync()
    {
        _client = _app.Sdk(_app.AdminKey);
        _session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task ExecuteAsync_FailingCode_ReturnsItsOutcomeAsData()
    {
        _app.Machines.Script("boom", (_, _, _) => Task.FromResult(FakeMachineHost.Result("out\n", "Traceback\n", exitCode: 3)));

        var result = await _session.ExecuteAsync("boom", cancellationToken: Bounded.Token).Bound();

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
        _app.Machines.Script("sleep", (_, _, _) => Task.FromResult(FakeMachineHost.Result("partial", exitCode: 124, timedOut: true)));

        var result = await _session.ExecuteAsync("sleep", timeout: TimeSpan.FromSeconds(2), cancellationToken: Bounded.Token).Bound();

        Assert.True(result.TimedOut);
        Assert.Equal(124, result.ExitCode);
        Assert.Equal("partial", result.Stdout);
    }

    [Theory]
    [InlineData(CodeLanguage.Auto, nameof(ExecLanguageKind.Auto))]
    [InlineData(CodeLanguage.Python, nameof(ExecLanguageKind.Python))]
    [InlineData(CodeLanguage.Bash, nameof(ExecLanguageKind.Bash))]
    public async Task ExecuteAsync_Language_ReachesTheGuest(CodeLanguage language, string expected)
    {
        await _session.ExecuteAsync("echo hi", language, cancellationToken: Bounded.Token).Bound();

        Assert.Equal(expected, Assert.Single(Assert.Single(_app.Machines.Started).Execs).Language.ToString());
    }

    [Fact]
    public async Task ExecuteAsync_Timeout_SentInWholeSecondsRoundedUp()
    {
        await _session.ExecuteAsync("x", timeout: TimeSpan.FromSeconds(6.1), cancellationToken: Bounded.Token).Bound();
        await _session.ExecuteAsync("y", cancellationToken: Bounded.Token).Bound();

        var execs = Assert.Single(_app.Machines.Started).Execs;
        Assert.Equal(TimeSpan.FromSeconds(7), execs[0].Timeout);
        Assert.Equal(TimeSpan.FromSeconds(60), execs[1].Timeout);
    }

    [Fact]
    public async Task ExecuteAsync_TimeoutOutOfRange_ThrowsValidationWithTheServersDetails()
    {
        var error = await Assert.ThrowsAsync<ValidationException>(
            () => _session.ExecuteAsync("x", timeout: TimeSpan.FromSeconds(601), cancellationToken: Bounded.Token)).Bound();

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
        _app.Machines.Script("work", (_, _, _) => Task.FromResult(FakeMachineHost.Result("done\n", "warn\n", exitCode: 0)));

        var queued = await _session.ExecuteAsyncTask("work", CodeLanguage.Python, cancellationToken: Bounded.Token).Bound();
        var task = await _client.WaitForExecutionAsync(queued.TaskId, TimeSpan.FromMilliseconds(10), Bounded.Token).Bound();

        Assert.True(Guid.TryParse(queued.TaskId, out _));
        Assert.Equal(_session.Id, queued.SessionId);
        Assert.Equal("queued", queued.Status);
        Assert.Equal(queued.TaskId, task.TaskId);
        Assert.Equal(_session.Id, task.SessionId);
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
        var first = await _session.ExecuteAsyncTask("one", cancellationToken: Bounded.Token).Bound();
        await _client.WaitForExecutionAsync(first.TaskId, TimeSpan.FromMilliseconds(10), Bounded.Token).Bound();
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await _session.ExecuteAsyncTask("two", cancellationToken: Bounded.Token).Bound();
        await _client.WaitForExecutionAsync(second.TaskId, TimeSpan.FromMilliseconds(10), Bounded.Token).Bound();

        var page = await _client.ListExecutionsAsync(limit: 1, offset: 0, Bounded.Token).Bound();
        var next = await _client.ListExecutionsAsync(limit: 1, offset: 1, Bounded.Token).Bound();

        Assert.Equal(2, page.Total);
        Assert.Equal(1, page.Limit);
        Assert.Equal(second.TaskId, Assert.Single(page.Executions).TaskId);
        Assert.Equal(1, next.Offset);
        Assert.Equal(first.TaskId, Assert.Single(next.Executions).TaskId);
    }

    [Fact]
    public async Task GetExecutionAsync_UnknownTask_ThrowsNotFoundRatherThanSessionNotFound()
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => _client.GetExecutionAsync(Guid.NewGuid().ToString(), Bounded.Token)).Bound();

        Assert.IsNotType<SessionNotFoundException>(error);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
    }
}
