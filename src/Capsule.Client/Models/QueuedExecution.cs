namespace Capsule.Client;

/// <summary>An execution accepted to run in the background; poll it with <see cref="CapsuleClient.GetExecutionAsync"/>.</summary>
public sealed record QueuedExecution
{
    /// <summary>The id to poll with.</summary>
    public required string TaskId { get; init; }

    /// <summary>The session it runs in.</summary>
    public required string SessionId { get; init; }

    /// <summary>The status at submission, normally <c>queued</c>.</summary>
    public required string Status { get; init; }
}
