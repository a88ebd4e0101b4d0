namespace Capsule.Client;

/// <summary>Where a guest port of a session is served: a private share on the server's apps origin.</summary>
public sealed record AppUrl
{
    /// <summary>The URL; send the session's API key in <c>X-API-Key</c> to use it.</summary>
    public required Uri Url { get; init; }

    /// <summary>The guest port it serves.</summary>
    public required int Port { get; init; }

    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>The session's VM, when one runs.</summary>
    public string? VmId { get; init; }

    /// <summary>The VM's state, as in <see cref="SessionStatus.VmStatus"/> (<c>created</c> before the first VM).</summary>
    public required string Status { get; init; }

    /// <summary>How long the VM has left, when one runs.</summary>
    public TimeSpan? ExpiresIn { get; init; }
}
