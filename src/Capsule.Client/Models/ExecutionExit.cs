namespace Capsule.Client;

/// <summary>The end of a streamed execution: always its last event.</summary>
public sealed record ExecutionExit : ExecutionEvent
{
    /// <summary>The exit code, as in <see cref="ExecutionResult.ExitCode"/>.</summary>
    public required int ExitCode { get; init; }

    /// <summary>True when the execution hit its timeout and was killed.</summary>
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
