namespace Capsule.Server.Store;

/// <summary>Persistence of shares (guest ports at URLs).</summary>
internal interface IShareStore
{
    Task InsertAsync(ShareRecord share, CancellationToken cancellationToken);

    /// <summary>The share with this id, revoked or not; null when none.</summary>
    Task<ShareRecord?> GetAsync(string shareId, CancellationToken cancellationToken);

    /// <summary>A key's unrevoked private share of a session's port (what app-url hands out again); null when none.</summary>
    Task<ShareRecord?> FindPrivateAsync(string apiKeyId, Guid sessionId, int port, CancellationToken cancellationToken);

    /// <summary>A key's shares, newest first, revoked ones included.</summary>
    Task<IReadOnlyList<ShareRecord>> ListByKeyAsync(string apiKeyId, CancellationToken cancellationToken);

    /// <summary>Stores the share's visibility and revocation as given; false when there is no such share.</summary>
    Task<bool> UpdateAsync(ShareRecord share, CancellationToken cancellationToken);
}
