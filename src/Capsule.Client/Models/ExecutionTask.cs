namespace Capsule.Client;

/// <summary>A background execution (<see cref="Session.ExecuteAsyncTask"/>) as the server reports it now.</summary>
public sealed record ExecutionTask
{
    /// <summary>The task id.</summary>
    public required string TaskId { get; init; }

    /// <summary>The session it runs in.</summary>
    public required string SessionId { get; init; }

    /// <summary><c>queued</c>, <c>running</c>, <c>completed</c> or <c>failed</c>.</summary>
    public required string Status { get; init; }

    /// <summary>True once the task is <c>completed</c> or <c>failed</c>.</summary>
    public required bool IsComplete { get; init; }

    /// <summary>Stdout so far (all of it once complete).</summary>
    public required string Stdout { get; init; }

    /// <summary>Stderr so far (all of it once complete).</summary>
    public required string Stderr { get; init; }

    /// <summary>The exit code once the code has run; null before, or when the task failed before running it.</summary>
    public int? ExitCode { get; init; }

    /// <summary>True when the execution hit its timeout.</summary>
    public required bool TimedOut { get; init; }

    /// <summary>True when output beyond the server's per-call cap was dropped (the text ends where the cap cut it).</summary>
    public bool Truncated { get; init; }

    /// <summary>True when the guest ran out of memory and its OOM killer killed a process of this execution.</summary>
    public bool OomKilled { get; init; }

    /// <summary>Wall-clock time in the guest, when known.</summary>
    public TimeSpan? ExecutionTime { get; init; }

    /// <summary>CPU time in the guest, when known.</summary>
    public TimeSpan? CpuTime { get; init; }

    /// <summary>When the task was submitted.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When the task completed or failed; null while it is pending.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Why the task failed (e.g. its VM could not start); null otherwise.</summary>
    public string? Error { get; init; }
}
