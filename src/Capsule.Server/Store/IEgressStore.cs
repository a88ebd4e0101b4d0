using Capsule.Server.Egress;

namespace Capsule.Server.Store;

/// <summary>Persistence of sessions' egress policies (a session without one has the server's default).</summary>
internal interface IEgressStore
{
    Task<EgressPolicy?> GetAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Stores or replaces the session's policy.</summary>
    Task PutAsync(Guid sessionId, EgressPolicy policy, DateTimeOffset updatedAt, CancellationToken cancellationToken);
}
