using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Machines;

/// <summary>
/// The background tasks one owner starts (a machine's watchers and probes, the host's pool refill): each runs on the
/// thread pool with the set's stop token, a failure other than that cancellation is logged once, and
/// <see cref="JoinAsync"/> stops them all and waits for them, bounded, so none outlives its owner unobserved.
/// </summary>
internal sealed partial class BackgroundTasks
{
    private readonly string _owner;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _gate = new();
    private readonly List<Task> _running = [];
    private Task? _join;

    /// <param name="owner">Names the owner in logs (a machine id, "the warm pool").</param>
    /// <param name="stopWith">Also stops the tasks when it fires (the owner's own lifetime).</param>
    public BackgroundTasks(string owner, ILogger logger, TimeProvider time, CancellationToken stopWith = default)
    {
        _owner = owner;
        _logger = logger;
        _time = time;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopWith);
    }

    /// <summary>Tasks still running (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
                return _running.Count(t => !t.IsCompleted);
        }
    }

    /// <summary>Runs <paramref name="work"/> with the set's stop token; nothing is started once <see cref="JoinAsync"/> was called.</summary>
    public void Start(string name, Func<CancellationToken, Task> work) => StartWithCompletion(name, work);

    /// <summary>
    /// <see cref="Start"/>, for an owner that also wants to know when the work ended: the returned task completes then and
    /// never faults (it is completed at once if nothing was started).
    /// </summary>
    public Task StartWithCompletion(string name, Func<CancellationToken, Task> work)
    {
        lock (_gate)
        {
            if (_join is not null)
                return Task.CompletedTask;
            _running.RemoveAll(t => t.IsCompleted);
            var task = Task.Run(() => RunAsync(name, work), CancellationToken.None);
            _running.Add(task);
            return task;
        }
    }

    /// <summary>
    /// Cancels the stop token and waits until every task has ended, at most <paramref name="bound"/> (then the ones still
    /// running are logged and left). Idempotent: later calls return the first call's task. Never throws.
    /// </summary>
    public Task JoinAsync(TimeSpan bound)
    {
        lock (_gate)
        {
            if (_join is null)
            {
                Task[] running = [.. _running];
                _join = JoinCoreAsync(running, bound);
            }
            return _join;
        }
    }

    private async Task JoinCoreAsync(Task[] running, TimeSpan bound)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(running).WaitAsync(bound, _time).ConfigureAwait(false);
            _stop.Dispose();
        }
        catch (TimeoutException)
        {
            // Left running with a cancelled token; the stop source stays alive for them.
            LogNotJoined(_logger, running.Count(t => !t.IsCompleted), _owner, bound.TotalSeconds);
        }
    }

    private async Task RunAsync(string name, Func<CancellationToken, Task> work)
    {
        var stopping = _stop.Token;
        try
        {
            await work(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped by its owner.
        }
#pragma warning disable CA1031 // The task has no awaiter but this one: whatever it threw is logged here, once.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(_logger, e, name, _owner);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Background task {Task} of {Owner} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string task, string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} background tasks of {Owner} did not end within {BoundSeconds} s of being stopped")]
    private static partial void LogNotJoined(ILogger logger, int count, string owner, double boundSeconds);
}
