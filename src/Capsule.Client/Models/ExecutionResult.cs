namespace Capsule.Client;

/// <summary>What a finished execution produced. A non-zero exit code or a timeout is an outcome, not an error.</summary>
public sealed record ExecutionResult
{
    /// <summary>Everything the code wrote to stdout (capped by the server).</summary>
    public required string Stdout { get; init; }

    /// <summary>Everything the code wrote to stderr (capped by the server).</summary>
    public required string Stderr { get; init; }

    /// <summary>
    /// Python: 0, 1 for an uncaught exception, n for <c>SystemExit(n)</c>; bash: its exit status, 128+signal when
    /// killed; 124 after a timeout; 130 when cancelled.
    /// </summary>
    public required int ExitCode { get; init; }

    /// <summary>True when the execution hit its timeout and was killed; the output is what it wrote until then.</summary>
    public required bool TimedOut { get; init; }

    /// <summary>True when output beyond the server's per-call cap was dropped (the text ends where the cap cut it).</summary>
    public bool Truncated { get; init; }

    /// <summary>True when the guest ran out of memory and its OOM killer killed a process of this execution.</summary>
    public bool OomKilled { get; init; }

    /// <summary>Wall-clock time the execution took in the guest.</summary>
    public required TimeSpan ExecutionTime { get; init; }

    /// <summary>CPU time the execution used in the guest.</summary>
    public required TimeSpan CpuTime { get; init; }
}
