namespace Capsule.Client;

/// <summary>One page of the caller's executions, newest first.</summary>
public sealed record ExecutionPage
{
    /// <summary>The executions on this page.</summary>
    public required IReadOnlyList<ExecutionTask> Executions { get; init; }

    /// <summary>The page size asked for.</summary>
    public required int Limit { get; init; }

    /// <summary>How many executions were skipped before this page.</summary>
    public required int Offset { get; init; }

    /// <summary>How many executions there are in all.</summary>
    public required int Total { get; init; }
}
