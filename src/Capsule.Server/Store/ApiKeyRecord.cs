namespace Capsule.Server.Store;

/// <summary>A stored API key. Only the SHA-256 of the key is kept; the key itself is shown once.</summary>
internal sealed record ApiKeyRecord
{
    /// <summary>Public id, safe to log (e.g. "key_3f2a9c1d5e7b").</summary>
    public required string Id { get; init; }
    /// <summary>Lower-case hex SHA-256 of the UTF-8 key.</summary>
    public required string KeyHash { get; init; }
    /// <summary>The first characters of the key (e.g. "capsule_sk_AbCd"), so a person can tell keys apart.</summary>
    public required string KeyPrefix { get; init; }
    public required string Description { get; init; }
    public required bool IsAdmin { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}
