namespace Capsule.Server.Store;

/// <summary>Persistence of API keys (hashes only).</summary>
internal interface IApiKeyStore
{
    Task InsertAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The key with this hash, revoked or not; null when none.</summary>
    Task<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>The key with this id, revoked or not; null when none.</summary>
    Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every key (revoked ones too), oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>True when at least one admin key is not revoked.</summary>
    Task<bool> HasActiveAdminAsync(CancellationToken cancellationToken);

    /// <summary>How many admin keys are not revoked.</summary>
    Task<int> CountActiveAdminsAsync(CancellationToken cancellationToken);

    /// <summary>Sets the description; returns false when there is no such key.</summary>
    Task<bool> UpdateDescriptionAsync(string id, string description, CancellationToken cancellationToken);

    /// <summary>Marks the key revoked; returns false when there is no such key or it already was.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset revokedAt, CancellationToken cancellationToken);
}
