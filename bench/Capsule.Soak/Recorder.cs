using System.Diagnostics;

namespace Capsule.Soak;

/// <summary>
/// Everything the workers measure, thread-safe: one latency sample per request (with when it ended), every error
/// (the first <see cref="KeptErrors"/> with their message), and the sessions and VMs that came and went.
/// </summary>
internal sealed class Recorder
{
    public const int KeptErrors = 25;

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Sample> _samples = [];
    private readonly List<ErrorRecord> _errors = [];
    private int _errorCount;
    private int _liveVms;
    private int _peakLiveVms;
    private int _sessionsCreated;
    private int _vmsKilled;

    /// <summary>Seconds since the recorder started (the soak's clock).</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    public int ErrorCount => Volatile.Read(ref _errorCount);
    public int LiveVms => Volatile.Read(ref _liveVms);
    public int PeakLiveVms => Volatile.Read(ref _peakLiveVms);
    public int SessionsCreated => Volatile.Read(ref _sessionsCreated);
    public int VmsKilled => Volatile.Read(ref _vmsKilled);

    public void Ok(OpKind kind, double startedAt)
    {
        var now = Now;
        lock (_samples)
            _samples.Add(new Sample(kind, now, (now - startedAt) * 1000));
    }

    public void Error(OpKind kind, int worker, string message)
    {
        var now = Now;
        Interlocked.Increment(ref _errorCount);
        lock (_errors)
            _errors.Add(new ErrorRecord(kind, now, worker, message));
        Console.Error.WriteLine($"[soak {now,6:F1}s] ERROR worker {worker} {kind}: {message}");
    }

    public void SessionCreated() => Interlocked.Increment(ref _sessionsCreated);

    public void VmStarted()
    {
        var live = Interlocked.Increment(ref _liveVms);
        int peak;
        while (live > (peak = Volatile.Read(ref _peakLiveVms)) && Interlocked.CompareExchange(ref _peakLiveVms, live, peak) != peak)
        {
        }
    }

    /// <summary>A VM the worker had is gone: <paramref name="killed"/> by its /kill, or abandoned after an error.</summary>
    public void VmEnded(bool killed)
    {
        Interlocked.Decrement(ref _liveVms);
        if (killed)
            Interlocked.Increment(ref _vmsKilled);
    }

    public IReadOnlyList<Sample> Samples()
    {
        lock (_samples)
            return [.. _samples];
    }

    public IReadOnlyList<ErrorRecord> Errors()
    {
        lock (_errors)
            return [.. _errors];
    }

    /// <summary>One successful request: its kind, when it ended (soak seconds) and how long it took.</summary>
    public sealed record Sample(OpKind Kind, double EndedAt, double Milliseconds);

    public sealed record ErrorRecord(OpKind Kind, double At, int Worker, string Message);
}
