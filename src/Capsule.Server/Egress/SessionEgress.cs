using Capsule.Server.Store;

namespace Capsule.Server.Egress;

/// <summary>A session's egress policy: the stored one, or the server's default.</summary>
internal sealed class SessionEgress(IEgressStore store, EgressDefaults defaults)
{
    public EgressDefaults Defaults => defaults;

    public async Task<EgressPolicy> PolicyForAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await store.GetAsync(sessionId, cancellationToken) ?? defaults.Policy;
}
