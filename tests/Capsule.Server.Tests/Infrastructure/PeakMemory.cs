namespace Capsule.Server.Tests.Infrastructure;

/// <summary>
/// Samples the live managed heap (after a full collection, so garbage does not count) while something runs, and
/// reports how far above the starting point it ever went. Used to show that a transfer streams instead of buffering.
/// </summary>
internal sealed class PeakMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly long _baseline;
    private readonly Task _sampler;
    private long _peak;

    private PeakMemory()
    {
        _baseline = GC.GetTotalMemory(forceFullCollection: true);
        _peak = _baseline;
        _sampler = Task.Run(SampleAsync);
    }

    public static PeakMemory Start() => new();

    /// <summary>The highest live heap seen minus the heap at start, in bytes (call after <see cref="StopAsync"/>).</summary>
    public long Growth => Interlocked.Read(ref _peak) - _baseline;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
            await StopAsync();
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var live = GC.GetTotalMemory(forceFullCollection: true);
            if (live > Interlocked.Read(ref _peak))
                Interlocked.Exchange(ref _peak, live);
            try
            {
                await Task.Delay(25, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
