using System.Collections.Concurrent;
using Capsule.Server.Auth;
using Capsule.Server.Store;

namespace Capsule.Server.Sessions;

/// <summary>
/// The one <see cref="SessionActor"/> per session. Actors are created at create time or loaded from the store on
/// first use after a restart; a session id maps to at most one actor for the life of the process.
/// </summary>
internal sealed partial class SessionRegistry(ISessionStore store, SessionServices services, ILogger<SessionRegistry> logger)
{
    private readonly ConcurrentDictionary<Guid, SessionActor> _actors = new();
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>Sessions whose VM is running.</summary>
    public int ActiveSessions => _actors.Values.Count(a => a.Snapshot.VmState == VmState.Active);

    public async Task<SessionActor> CreateAsync(SessionRecord record, CancellationToken cancellationToken)
    {
        await store.InsertAsync(record, cancellationToken);
        var actor = new SessionActor(record, services);
        if (!_actors.TryAdd(record.SessionId, actor))
            throw new InvalidOperationException($"Session {record.SessionId} already exists");
        LogCreated(logger, record.SessionId, record.ApiKeyId);
        return actor;
    }

    /// <summary>The caller's session; null when there is none or it belongs to another key (indistinguishable by design).</summary>
    public async Task<SessionActor?> FindAsync(Guid sessionId, Caller caller, CancellationToken cancellationToken)
    {
        var actor = await GetAsync(sessionId, cancellationToken);
        return actor is not null && string.Equals(actor.Snapshot.ApiKeyId, caller.KeyId, StringComparison.Ordinal) ? actor : null;
    }

    /// <summary>
    /// Any session by id, whoever owns it. Only for the read-only views where the unguessable session id is itself the
    /// credential (usage without a key); everything else goes through <see cref="FindAsync"/>.
    /// </summary>
    public Task<SessionActor?> FindAnyAsync(Guid sessionId, CancellationToken cancellationToken) => GetAsync(sessionId, cancellationToken);

    /// <summary>Every session of the caller as it is now, newest first (live actors win over stored rows).</summary>
    public async Task<IReadOnlyList<SessionRecord>> ListOwnedAsync(Caller caller, CancellationToken cancellationToken)
    {
        var stored = await store.ListByKeyAsync(caller.KeyId, cancellationToken);
        return [.. stored.Select(record => _actors.TryGetValue(record.SessionId, out var actor) ? actor.Snapshot : record)];
    }

    /// <summary>Destroys every VM this server holds (shutdown).</summary>
    public async Task StopAllAsync()
    {
        var stopped = await Task.WhenAll(_actors.Values.Select(a => a.StopAsync()));
        var destroyed = stopped.Count(s => s);
        LogStoppedAll(logger, destroyed);
    }

    private async Task<SessionActor?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (_actors.TryGetValue(sessionId, out var actor))
            return actor;
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_actors.TryGetValue(sessionId, out actor))
                return actor;
            var record = await store.GetAsync(sessionId, cancellationToken);
            if (record is null)
                return null;
            actor = new SessionActor(record, services);
            _actors[sessionId] = actor;
            return actor;
        }
        finally
        {
            _loading.Release();
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Session {SessionId} created for key {KeyId}")]
    private static partial void LogCreated(ILogger logger, Guid sessionId, string keyId);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Server stopping: destroyed {MachineCount} VMs")]
    private static partial void LogStoppedAll(ILogger logger, int machineCount);
}
