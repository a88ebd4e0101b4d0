namespace Capsule.Server.Store;

/// <summary>Persistence of sessions. The in-memory <c>SessionActor</c> is the authority while the server runs.</summary>
internal interface ISessionStore
{
    Task InsertAsync(SessionRecord session, CancellationToken cancellationToken);

    Task<SessionRecord?> GetAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Every session of one API key, newest first.</summary>
    Task<IReadOnlyList<SessionRecord>> ListByKeyAsync(string apiKeyId, CancellationToken cancellationToken);

    Task MarkSpawnedAsync(Guid sessionId, string vmId, DateTimeOffset spawnedAt, CancellationToken cancellationToken);

    Task MarkEndedAsync(Guid sessionId, VmState reason, string detail, DateTimeOffset endedAt, CancellationToken cancellationToken);

    /// <summary>Sets the lifetime (seconds from spawn) of the session's current and later VMs.</summary>
    Task UpdateLifetimeAsync(Guid sessionId, int vmLifetimeSeconds, CancellationToken cancellationToken);

    /// <summary>Counts one finished execution and adds its CPU time.</summary>
    Task AddExecutionAsync(Guid sessionId, long cpuTimeMs, CancellationToken cancellationToken);

    /// <summary>
    /// Marks every session still recorded as active as <see cref="VmState.HostRestart"/> with <paramref name="detail"/>:
    /// at start, these are the sessions of a predecessor that was killed or crashed. Returns how many.
    /// </summary>
    Task<int> MarkActiveAsHostRestartAsync(string detail, DateTimeOffset endedAt, CancellationToken cancellationToken);
}
