namespace Capsule.Server.Store;

/// <summary>Persistence of API keys (hashes only).</summary>
internal interface IApiKeyStore
{
    Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The key with this hash, revoked or not; null when none.</summary>
    Task<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>True when at least one admin key is not revoked.</summary>
    Task<bool> HasActiveAdminAsync(CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; returns false when there is no such key or it already was.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}
