using System.Diagnostics.Metrics;
using Capsule.Server.Sessions.Runs;

namespace Capsule.Server.Metrics;

/// <summary>
/// The one Meter ("Capsule") and the instruments the server records into as things happen. Every label value is one of
/// a closed set written in this folder (a language, a reason, a kind, a state), never text from a request, so no key,
/// key id, session id or user data can become a label. The observable instruments over live state are in
/// <see cref="CapsuleGauges"/>. Recording costs next to nothing when metrics are off (nothing listens).
/// </summary>
internal sealed class CapsuleMetrics
{
    public const string MeterName = "Capsule";

    /// <summary>Create latency: no VM (a row is stored) is milliseconds; with env given, a VM is started too (seconds).</summary>
    private static readonly double[] CreateBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Execute latency, up to the longest timeout a run may ask for (600 s).</summary>
    private static readonly double[] ExecuteBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

    private readonly Counter<long> _creates;
    private readonly Histogram<double> _createDuration;
    private readonly Histogram<double> _executeDuration;
    private readonly Counter<long> _restoreFailures;
    private readonly Counter<long> _refusals;

    public CapsuleMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _creates = Meter.CreateCounter<long>("capsule_session_creates", "{session}", "Sessions created");
        _createDuration = Meter.CreateHistogram("capsule_session_create_duration", "s",
            "Time to create a session (a VM start included when env was given)", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = CreateBuckets });
        _executeDuration = Meter.CreateHistogram("capsule_execute_duration", "s",
            "Time from an execute reaching its session to its result (a VM start included when there was none)", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = ExecuteBuckets });
        _restoreFailures = Meter.CreateCounter<long>("capsule_restore_failures", "{start}",
            "VM starts for a session that failed: the snapshot restore or the hand-over never became ready");
        _refusals = Meter.CreateCounter<long>("capsule_refusals", "{request}", "Requests refused for capacity, rate limit or a key's caps");

        // Every label value is known up front: publish each series at 0, so a rate() works before the first event.
        _restoreFailures.Add(0);
        foreach (var reason in Enum.GetValues<RefusalReason>())
            _refusals.Add(0, Reason(reason));
    }

    /// <summary>The Meter every Capsule instrument belongs to (<see cref="CapsuleGauges"/> adds its observable ones here).</summary>
    public Meter Meter { get; }

    /// <summary>A session was created; <paramref name="elapsed"/> from the request's arrival to the answer being ready.</summary>
    public void SessionCreated(TimeSpan elapsed)
    {
        _creates.Add(1);
        _createDuration.Record(elapsed.TotalSeconds);
    }

    /// <summary>A run produced a result (a guest-side timeout is a result too).</summary>
    public void Executed(CodeLanguage language, TimeSpan elapsed) =>
        _executeDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("language", Language(language)));

    /// <summary>A session's VM could not be started (restored or handed over).</summary>
    public void RestoreFailed() => _restoreFailures.Add(1);

    public void Refused(RefusalReason reason) => _refusals.Add(1, Reason(reason));

    private static string Language(CodeLanguage language) => language switch
    {
        CodeLanguage.Python => "python",
        CodeLanguage.Bash => "bash",
        // No language (or one the guest does not know) was asked for; the guest picked python or bash.
        CodeLanguage.Auto => "auto",
        _ => throw new ArgumentOutOfRangeException(nameof(language), language, "Unknown language"),
    };

    private static KeyValuePair<string, object?> Reason(RefusalReason reason) => new("reason", reason switch
    {
        RefusalReason.Capacity => "capacity",
        RefusalReason.RateLimit => "rate_limit",
        RefusalReason.Caps => "caps",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown refusal reason"),
    });
}
