namespace Capsule.Server.Store;

/// <summary>A session as stored: what was asked at create, and what became of its latest VM.</summary>
internal sealed record SessionRecord
{
    public required Guid SessionId { get; init; }
    /// <summary>Id of the API key that owns the session.</summary>
    public required string ApiKeyId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required int VmLifetimeSeconds { get; init; }
    public required int MemoryMb { get; init; }
    public required int VcpuCount { get; init; }
    /// <summary>The caller's metadata object as raw JSON; null when none was given.</summary>
    public string? MetadataJson { get; init; }
    /// <summary>Env vars applied to every VM of the session.</summary>
    public required IReadOnlyDictionary<string, string> Env { get; init; }
    public string? VmId { get; init; }
    public VmState? VmState { get; init; }
    public DateTimeOffset? SpawnedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    /// <summary>Why the latest VM ended, in words (e.g. "the guest kernel panicked: ..."); null while it runs.</summary>
    public string? EndDetail { get; init; }
    /// <summary>Executions that finished with a result, over every VM of the session.</summary>
    public int ExecutionsCount { get; init; }
    /// <summary>Guest CPU time those executions used, in milliseconds.</summary>
    public long CpuTimeMs { get; init; }
}
