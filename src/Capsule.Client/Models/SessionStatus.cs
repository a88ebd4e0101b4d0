namespace Capsule.Client;

/// <summary>Whether a session's VM is alive, and for how long (InstaVM's status view).</summary>
public sealed record SessionStatus
{
    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary>Always true for a session the server found.</summary>
    public required bool Exists { get; init; }

    /// <summary>True while a VM runs for the session.</summary>
    public required bool VmAssigned { get; init; }

    /// <summary><c>active</c>, <c>killed</c>, <c>expired</c> or <c>crashed</c>; null before the first VM.</summary>
    public string? VmStatus { get; init; }

    /// <summary>The latest VM's id; null before the first VM.</summary>
    public string? VmId { get; init; }

    /// <summary>True while the VM runs.</summary>
    public required bool VmAlive { get; init; }

    /// <summary>How long the VM has run; null when none runs.</summary>
    public TimeSpan? Uptime { get; init; }

    /// <summary>Time left before the VM is destroyed (zero once it ended); null before the first VM.</summary>
    public TimeSpan? ExpiresIn { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
}
