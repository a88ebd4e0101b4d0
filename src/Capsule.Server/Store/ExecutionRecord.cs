namespace Capsule.Server.Store;

/// <summary>An asynchronous execution (<c>POST /execute_async</c>) and, once it finished, its result.</summary>
internal sealed record ExecutionRecord
{
    public required Guid TaskId { get; init; }
    /// <summary>Id of the API key that started it; only that key sees it.</summary>
    public required string ApiKeyId { get; init; }
    public required Guid SessionId { get; init; }
    public required ExecutionStatus Status { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    /// <summary>Null until the code exited.</summary>
    public int? ExitCode { get; init; }
    public bool TimedOut { get; init; }
    /// <summary>Output beyond the per-call cap was dropped.</summary>
    public bool Truncated { get; init; }
    /// <summary>The guest's OOM killer killed a process of this execution.</summary>
    public bool OomKilled { get; init; }
    public TimeSpan ExecutionTime { get; init; }
    public TimeSpan CpuTime { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>Why it failed (client-facing text); null unless <see cref="ExecutionStatus.Failed"/>.</summary>
    public string? Error { get; init; }
}
