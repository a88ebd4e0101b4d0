namespace Capsule.Client;

/// <summary>An API key as listed: never the key itself, only its prefix.</summary>
public sealed record ApiKeyInfo
{
    /// <summary>The key id, e.g. <c>key_0123456789ab</c>.</summary>
    public required string Id { get; init; }

    /// <summary>What the key is for.</summary>
    public string? Description { get; init; }

    /// <summary>True for a key that may manage every key.</summary>
    public required bool IsAdmin { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was revoked; null while it works.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The first characters of the key, to recognise it.</summary>
    public string? KeyPrefix { get; init; }
}
