using System.Net.Http.Json;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

public sealed partial class Session
{
    /// <summary>The egress policy in force for this session's VMs (the server's default until one is set).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SessionNotFoundException">The session does not exist for this key.</exception>
    public async Task<EgressPolicy> GetEgressAsync(CancellationToken cancellationToken = default)
    {
        var reply = await Transport.SendJsonAsync(ApiCall.Get("v1/egress/session/" + EscapedId, Id), ClientJsonContext.Default.EgressReply,
            cancellationToken).ConfigureAwait(false);
        return reply.ToPolicy();
    }

    /// <summary>Replaces the session's egress policy; it holds for the running VM and every later one.</summary>
    /// <param name="policy">The whole new policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy now in force.</returns>
    /// <exception cref="ValidationException">A malformed domain pattern or CIDR.</exception>
    /// <exception cref="SessionNotFoundException">The session does not exist for this key.</exception>
    public async Task<EgressPolicy> SetEgressAsync(EgressPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var body = policy.ToBody();
        var call = new ApiCall(HttpMethod.Post, "v1/egress/session/" + EscapedId)
        {
            SessionId = Id,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.EgressBody),
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.EgressReply, cancellationToken).ConfigureAwait(false);
        return reply.ToPolicy();
    }

    /// <summary>Serves guest port <paramref name="port"/> of this session at a new URL (see <see cref="ShareClient.CreateAsync"/>).</summary>
    /// <param name="port">A guest TCP port, 1 to 65535.</param>
    /// <param name="isPublic">True to let anyone with the URL in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<Share> ShareAsync(int port, bool isPublic = false, CancellationToken cancellationToken = default) =>
        _client.Shares.CreateAsync(Id, port, isPublic, cancellationToken);
}
