namespace Capsule.Client.Tests.Sdk;

/// <summary>A cancelled token surfaces as <see cref="OperationCanceledException"/>, never as an API error, and stops the work.</summary>
public sealed class CancellationTests : IAsyncLifetime
{
    private readonly CapsuleApp _app = new();
    private CapsuleClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _client = _app.Sdk(_app.AdminKey);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task ExecuteAsync_CancelledWhileRunning_ThrowsOperationCanceledAndStopsTheGuestWork()
    {
        var session = await _client.CreateSessionAsync(cancellationToken: Bounded.Token).Bound();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var guestCancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _app.Machines.Script("wait", async (_, _, cancellationToken) =>
        {
            started.SetResult();
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
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Bounded.Token);

        var running = session.ExecuteAsync("wait", cancellationToken: cts.Token);
        await started.Task.Bound();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running).Bound();
        await guestCancelled.Task.Bound();
    }

    [Fact]
    public async Task GetHealthAsync_CancelledDuringRetryBackoff_ThrowsOperationCanceled()
    {
        var flaky = new FlakyHandler(100);
        using var client = new CapsuleClient(new CapsuleClientOptions
        {
            HttpClient = _app.CreateDefaultClient(flaky),
            MaxRetries = 5,
            RetryDelay = TimeSpan.FromMinutes(10),
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Bounded.Token);

        var call = client.GetHealthAsync(cts.Token);
        while (flaky.Requests == 0)
            await Task.Delay(5, Bounded.Token);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call).Bound();
        Assert.Equal(1, flaky.Requests);
    }

    [Fact]
    public async Task CreateSessionAsync_AlreadyCancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.CreateSessionAsync(cancellationToken: cts.Token)).Bound();
    }
}
