namespace Capsule.Server.Store;

/// <summary>Where an asynchronous execution is. Completed and failed are final.</summary>
internal enum ExecutionStatus
{
    Queued,
    Running,
    /// <summary>The code ran to an exit (any exit code, a timeout included).</summary>
    Completed,
    /// <summary>No exit was obtained: the VM could not start, was killed, expired or crashed, or the server stopped.</summary>
    Failed,
}

internal static class ExecutionStatusNames
{
    public static string ToWire(this ExecutionStatus status) => status switch
    {
        ExecutionStatus.Queued => "queued",
        ExecutionStatus.Running => "running",
        ExecutionStatus.Completed => "completed",
        ExecutionStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown execution status"),
    };

    public static ExecutionStatus Parse(string name) => name switch
    {
        "queued" => ExecutionStatus.Queued,
        "running" => ExecutionStatus.Running,
        "completed" => ExecutionStatus.Completed,
        "failed" => ExecutionStatus.Failed,
        _ => throw new FormatException($"Unknown execution status '{name}' in the database"),
    };

    public static bool IsFinal(this ExecutionStatus status) => status is ExecutionStatus.Completed or ExecutionStatus.Failed;
}
