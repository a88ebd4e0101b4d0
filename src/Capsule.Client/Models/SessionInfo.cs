namespace Capsule.Client;

/// <summary>A session's shape and history.</summary>
public sealed record SessionInfo
{
    /// <summary>The session id.</summary>
    public required string SessionId { get; init; }

    /// <summary><c>created</c>, <c>active</c>, <c>killed</c>, <c>expired</c>, <c>crashed</c> or <c>host_lost</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The latest VM's id; null before the first VM.</summary>
    public string? VmId { get; init; }

    /// <summary>Virtual CPUs.</summary>
    public required int VcpuCount { get; init; }

    /// <summary>Guest memory in MB.</summary>
    public required int MemoryMb { get; init; }

    /// <summary>How long each VM of the session lives once spawned.</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>The metadata given at creation (non-string JSON values as their JSON text).</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    /// <summary>When the session was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When its latest VM was spawned.</summary>
    public DateTimeOffset? SpawnedAt { get; init; }

    /// <summary>When its VM is (or was) due to be destroyed.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When its latest VM ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why its latest VM ended (<c>killed</c>, <c>expired</c>, ...).</summary>
    public string? EndReason { get; init; }

    /// <summary>The same in words (e.g. <c>the guest kernel panicked: ...</c>); null while its VM runs.</summary>
    public string? EndDetail { get; init; }
}
