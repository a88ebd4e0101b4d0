namespace Capsule.Client;

/// <summary>A session's VM was destroyed.</summary>
public sealed record KillResult
{
    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>The id of the VM destroyed.</summary>
    public required string VmId { get; init; }

    /// <summary>The server's message.</summary>
    public required string Message { get; init; }
}
