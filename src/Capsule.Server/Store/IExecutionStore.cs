namespace Capsule.Server.Store;

/// <summary>Persistence of asynchronous executions: they outlive the request that started them and a restart.</summary>
internal interface IExecutionStore
{
    Task InsertAsync(ExecutionRecord execution, CancellationToken cancellationToken);

    Task<ExecutionRecord?> GetAsync(Guid taskId, CancellationToken cancellationToken);

    /// <summary>One page of a key's executions, newest first, and how many it has in all.</summary>
    Task<(IReadOnlyList<ExecutionRecord> Page, int Total)> ListByKeyAsync(
        string apiKeyId, int limit, int offset, CancellationToken cancellationToken);

    Task MarkRunningAsync(Guid taskId, CancellationToken cancellationToken);

    /// <summary>Writes the final state (status, output, exit, times, error) of a finished execution.</summary>
    Task FinishAsync(ExecutionRecord execution, CancellationToken cancellationToken);

    /// <summary>Marks every queued or running execution failed with <paramref name="error"/>; returns how many.</summary>
    Task<int> FailUnfinishedAsync(string error, DateTimeOffset completedAt, CancellationToken cancellationToken);
}
