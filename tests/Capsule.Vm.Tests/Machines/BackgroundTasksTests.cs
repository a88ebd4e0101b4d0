using Capsule.Vm.Machines;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Capsule.Vm.Tests.Machines;

public sealed class BackgroundTasksTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Start_WorkFails_LogsTheFailureOnceAndTheTaskDoesNotFault()
    {
        var logger = new RecordingLogger();
        var tasks = new BackgroundTasks("vm-test", logger, new FakeTimeProvider());

        await tasks.StartWithCompletion("failing watch", _ => Task.FromException(new InvalidOperationException("boom"))).Bounded();
        await tasks.JoinAsync(Bound).Bounded();

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("Background task failing watch of vm-test failed", entry.Message);
        Assert.Equal("boom", entry.Exception?.Message);
    }

    [Fact]
    public async Task JoinAsync_CancelsTheTokenAndWaitsForEveryTask_WithoutLoggingTheCancellation()
    {
        var logger = new RecordingLogger();
        var tasks = new BackgroundTasks("vm-test", logger, new FakeTimeProvider());
        var first = tasks.StartWithCompletion("first", stopping => Task.Delay(Timeout.Infinite, stopping));
        var second = tasks.StartWithCompletion("second", async stopping =>
        {
            await Task.Delay(Timeout.Infinite, stopping).ContinueWith(_ => { }, TaskScheduler.Default);
            await Task.Yield(); // ends a little after its token fired: the join waits for it
        });

        await tasks.JoinAsync(Bound).Bounded();

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(0, tasks.Count);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public async Task JoinAsync_TaskIgnoresItsToken_GivesUpAfterTheBoundAndSaysSo()
    {
        var logger = new RecordingLogger();
        var time = new FakeTimeProvider();
        var tasks = new BackgroundTasks("vm-test", logger, time);
        var never = new TaskCompletionSource();
        tasks.Start("stubborn", _ => never.Task);

        var join = tasks.JoinAsync(Bound);
        await Task.Yield();
        Assert.False(join.IsCompleted);
        await time.AdvanceUntilAsync(Bound, () => join.IsCompleted);
        await join.Bounded();

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("1 background tasks of vm-test did not end within 10 s of being stopped", entry.Message);
        never.SetResult();
    }

    [Fact]
    public async Task Start_AfterJoin_StartsNothing()
    {
        var tasks = new BackgroundTasks("vm-test", new RecordingLogger(), new FakeTimeProvider());
        await tasks.JoinAsync(Bound).Bounded();
        var started = false;

        await tasks.StartWithCompletion("late", _ =>
        {
            started = true;
            return Task.CompletedTask;
        }).Bounded();

        Assert.False(started);
        Assert.Same(tasks.JoinAsync(Bound), tasks.JoinAsync(Bound));
    }

    [Fact]
    public async Task StopWith_Fires_StopsTheTasks()
    {
        using var owner = new CancellationTokenSource();
        var tasks = new BackgroundTasks("vm-test", new RecordingLogger(), new FakeTimeProvider(), owner.Token);
        var watch = tasks.StartWithCompletion("watch", stopping => Task.Delay(Timeout.Infinite, stopping));

        await owner.CancelAsync();
        await watch.Bounded();

        Assert.True(watch.IsCompletedSuccessfully);
    }
}
