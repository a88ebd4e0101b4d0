using Capsule.Vm;
using GuestChunk = Capsule.Vm.OutputChunk;

namespace Capsule.Client.Tests.Sdk;

/// <summary><see cref="Session.StreamAsync"/> against the real server-sent-events endpoint.</summary>
public sealed class StreamTests : SdkSessionTest
{
    [Fact]
    public async Task StreamAsync_Output_ArrivesInOrderThenOneExit()
    {
        App.Machines.Script("mixed", async (_, _, emit, _) =>
        {
            await emit(new GuestChunk(OutputStreamKind.Stdout, "a\n"));
            await emit(new GuestChunk(OutputStreamKind.Stderr, "oops\n"));
            await emit(new GuestChunk(OutputStreamKind.Stdout, "ü €\n"));
            return FakeMachineHost.Result("a\nü €\n", "oops\n", exitCode: 5);
        });

        var events = await Session.StreamAsync("mixed", CodeLanguage.Bash, cancellationToken: Bounded.Token).ToListAsync().Bound();

        Assert.Equal(
            [
                new OutputChunk(OutputStream.Stdout, "a\n"),
                new OutputChunk(OutputStream.Stderr, "oops\n"),
                new OutputChunk(OutputStream.Stdout, "ü €\n"),
                new ExecutionExit { ExitCode = 5, TimedOut = false, ExecutionTime = TimeSpan.FromSeconds(0.25), CpuTime = TimeSpan.FromSeconds(0.125) },
            ],
            events);
    }

    [Fact]
    public async Task StreamAsync_FirstChunk_ArrivesWhileTheCodeStillRuns()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        App.Machines.Script("slow", async (_, _, emit, cancellationToken) =>
        {
            await emit(new GuestChunk(OutputStreamKind.Stdout, "first\n"));
            await release.Task.WaitAsync(cancellationToken);
            await emit(new GuestChunk(OutputStreamKind.Stdout, "second\n"));
            return FakeMachineHost.Result("first\nsecond\n");
        });

        await using var events = Session.StreamAsync("slow", cancellationToken: Bounded.Token).GetAsyncEnumerator(Bounded.Token);
        Assert.True(await events.MoveNextAsync().AsTask().Bound());
        var first = events.Current;
        release.SetResult();
        var rest = new List<ExecutionEvent>();
        while (await events.MoveNextAsync().AsTask().Bound())
            rest.Add(events.Current);

        Assert.Equal(new OutputChunk(OutputStream.Stdout, "first\n"), first);
        Assert.Equal(new OutputChunk(OutputStream.Stdout, "second\n"), rest[0]);
        Assert.IsType<ExecutionExit>(rest[^1]);
    }

    [Fact]
    public async Task StreamAsync_StoppedEarly_CancelsTheExecutionInTheGuest()
    {
        var guestCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        App.Machines.Script("forever", async (_, _, emit, cancellationToken) =>
        {
            await emit(new GuestChunk(OutputStreamKind.Stdout, "tick\n"));
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                guestCancelled.SetResult();
                throw;
            }
            return FakeMachineHost.Result();
        });

        await foreach (var item in Session.StreamAsync("forever", cancellationToken: Bounded.Token))
        {
            Assert.Equal(new OutputChunk(OutputStream.Stdout, "tick\n"), item);
            break;
        }

        await guestCancelled.Task.Bound();
    }

    [Fact]
    public async Task StreamAsync_TokenCancelled_ThrowsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Bounded.Token);
        App.Machines.Script("hang", async (_, _, emit, cancellationToken) =>
        {
            await emit(new GuestChunk(OutputStreamKind.Stdout, "started\n"));
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return FakeMachineHost.Result();
        });

        var read = async () =>
        {
            await foreach (var _ in Session.StreamAsync("hang", cancellationToken: cts.Token))
                await cts.CancelAsync();
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(read).Bound();
    }

    [Fact]
    public async Task StreamAsync_VmLostMidway_ThrowsWithTheServersDetail()
    {
        App.Machines.Script("crash", async (_, _, emit, _) =>
        {
            await emit(new GuestChunk(OutputStreamKind.Stdout, "before\n"));
            throw new MachineException(MachineErrorCode.MachineGone, "agent connection broke");
        });
        var seen = new List<ExecutionEvent>();

        var read = async () =>
        {
            await foreach (var item in Session.StreamAsync("crash", cancellationToken: Bounded.Token))
                seen.Add(item);
        };
        var error = await Assert.ThrowsAsync<CapsuleApiException>(read).Bound();

        Assert.Equal([new OutputChunk(OutputStream.Stdout, "before\n")], seen);
        Assert.Null(error.StatusCode);
        Assert.Contains("gone", error.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StreamAsync_UnknownSession_ThrowsSessionNotFoundBeforeAnyEvent()
    {
        var stranger = Client.GetSession(Guid.NewGuid().ToString());

        await Assert.ThrowsAsync<SessionNotFoundException>(() => stranger.StreamAsync("print(1)", cancellationToken: Bounded.Token).ToListAsync()).Bound();
    }
}
