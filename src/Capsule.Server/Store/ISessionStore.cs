namespace Capsule.Server.Store;

/// <summary>Persistence of sessions. The in-memory <c>SessionActor</c> is the authority while the server runs.</summary>
internal interface ISessionStore
{
    Task InsertAsync(SessionRecord session, CancellationToken cancellationToken);

    Task<SessionRecord?> GetAsync(Guid sessionId, CancellationToken cancellationToken);

    Task MarkSpawnedAsync(Guid sessionId, string vmId, DateTimeOffset spawnedAt, CancellationToken cancellationToken);

    Task MarkEndedAsync(Guid sessionId, VmState reason, DateTimeOffset endedAt, CancellationToken cancellationToken);

    /// <summary>Marks every session still recorded as active as <see cref="VmState.HostLost"/>; returns how many.</summary>
    Task<int> MarkActiveAsHostLostAsync(DateTimeOffset endedAt, CancellationToken cancellationToken);
}
