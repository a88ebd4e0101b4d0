using System.Collections.Concurrent;
using Capsule.Server.Auth;
using Capsule.Server.Store;

namespace Capsule.Server.Sessions;

/// <summary>
/// The one <see cref="SessionActor"/> per session. Actors are created at create time or loaded from the store on
/// first use; a session id maps to at most one actor at a time. Actors without a VM are retired from memory by
/// <see cref="RetireIdleAsync"/> (the store keeps them), so memory follows the running sessions, not every session ever made.
/// </summary>
internal sealed partial class SessionRegistry(ISessionStore store, SessionServices services, ILogger<SessionRegistry> logger)
{
    private readonly ConcurrentDictionary<Guid, SessionActor> _actors = new();
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>Sessions whose VM is running.</summary>
    public int ActiveSessions => _actors.Values.Count(a => a.CurrentRecord.VmState == VmState.Active);

    public async Task<SessionActor> CreateAsync(SessionRecord record, CancellationToken cancellationToken)
    {
        await store.InsertAsync(record, cancellationToken);
        var actor = new SessionActor(record, services, Revive);
        if (!_actors.TryAdd(record.SessionId, actor))
            throw new InvalidOperationException($"Session {record.SessionId} already exists");
        LogCreated(logger, record.SessionId, record.ApiKeyId);
        return actor;
    }

    /// <summary>The caller's session; null when there is none or it belongs to another key (indistinguishable by design).</summary>
    public async Task<SessionActor?> FindAsync(Guid sessionId, Caller caller, CancellationToken cancellationToken)
    {
        var actor = await GetAsync(sessionId, cancellationToken);
        return actor is not null && string.Equals(actor.CurrentRecord.ApiKeyId, caller.KeyId, StringComparison.Ordinal) ? actor : null;
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
        return [.. stored.Select(record => _actors.TryGetValue(record.SessionId, out var actor) ? actor.CurrentRecord : record)];
    }

    /// <summary>Actors in memory now (running sessions plus those not yet retired).</summary>
    public int LoadedActors => _actors.Count;

    /// <summary>Drops every actor that holds no VM from memory; returns how many.</summary>
    public async Task<int> RetireIdleAsync(CancellationToken cancellationToken)
    {
        var retired = 0;
        foreach (var (sessionId, actor) in _actors)
        {
            if (actor.CurrentRecord.VmState == VmState.Active)
                continue;
            await _loading.WaitAsync(cancellationToken);
            try
            {
                if (await actor.TryRetireAsync() && _actors.TryRemove(KeyValuePair.Create(sessionId, actor)))
                    retired++;
            }
            finally
            {
                _loading.Release();
            }
        }
        if (retired > 0)
            LogRetired(logger, retired, _actors.Count);
        return retired;
    }

    /// <summary>Destroys every VM this server holds (shutdown).</summary>
    public async Task StopAllAsync()
    {
        var stopped = await Task.WhenAll(_actors.Values.Select(a => a.StopAsync()));
        var destroyed = stopped.Count(s => s);
        LogStoppedAll(logger, destroyed);
    }

    /// <summary>Puts a retired actor back, unless another actor for its session was loaded meanwhile.</summary>
    private async Task<bool> Revive(SessionActor actor)
    {
        await _loading.WaitAsync(CancellationToken.None);
        try
        {
            var current = _actors.GetOrAdd(actor.SessionId, actor);
            return ReferenceEquals(current, actor);
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<SessionActor?> GetAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        if (_actors.TryGetValue(sessionId, out var actor))
            return actor;
        // The store is read outside the lock: a slow read never holds up other loads, retirement or a revive. Whoever
        // puts an actor in first under the lock wins, so a session still has one actor.
        var record = await store.GetAsync(sessionId, cancellationToken);
        if (record is null)
            return null;
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_actors.TryGetValue(sessionId, out actor))
                return actor;
            actor = new SessionActor(record, services, Revive);
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

    [LoggerMessage(EventId = 312, Level = LogLevel.Debug, Message = "Retired {Count} idle sessions from memory; {Loaded} remain")]
    private static partial void LogRetired(ILogger logger, int count, int loaded);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information, Message = "Server stopping: destroyed {MachineCount} VMs")]
    private static partial void LogStoppedAll(ILogger logger, int machineCount);
}
