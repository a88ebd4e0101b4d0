using System.Globalization;
using System.Net.Http.Json;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

/// <summary>
/// Shares (<see cref="CapsuleClient.Shares"/>): guest ports of this key's sessions at URLs of the server's apps origin.
/// A private share needs this key (in <c>X-API-Key</c>) or, for a browser, a <see cref="ShareToken"/>; a public one
/// needs nothing.
/// </summary>
public sealed class ShareClient
{
    private readonly ApiTransport _transport;

    internal ShareClient(ApiTransport transport) => _transport = transport;

    /// <summary>Serves guest port <paramref name="port"/> of a session at a new URL.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="port">A guest TCP port, 1 to 65535.</param>
    /// <param name="isPublic">True to let anyone with the URL in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SessionNotFoundException">No such session for this key.</exception>
    public async Task<Share> CreateAsync(string sessionId, int port, bool isPublic = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var body = new CreateShareBody(sessionId, port, isPublic);
        var call = new ApiCall(HttpMethod.Post, "v1/shares")
        {
            SessionId = sessionId,
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.CreateShareBody),
        };
        var reply = await _transport.SendJsonAsync(call, ClientJsonContext.Default.ShareReply, cancellationToken).ConfigureAwait(false);
        return reply.ToShare();
    }

    /// <summary>This key's shares, newest first, revoked ones included.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<Share>> ListAsync(CancellationToken cancellationToken = default)
    {
        var reply = await _transport.SendJsonAsync(ApiCall.Get("v1/shares"), ClientJsonContext.Default.ListShareReply, cancellationToken)
            .ConfigureAwait(false);
        return [.. reply.Select(NetworkMapping.ToShare)];
    }

    /// <summary>Makes a share public or private; its URL stays the same.</summary>
    /// <param name="shareId">The share id.</param>
    /// <param name="isPublic">True to let anyone with the URL in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such share for this key.</exception>
    /// <exception cref="CapsuleApiException">409: the share is revoked.</exception>
    public Task<Share> UpdateAsync(string shareId, bool isPublic, CancellationToken cancellationToken = default) =>
        PatchAsync(shareId, new UpdateShareBody(isPublic, null), cancellationToken);

    /// <summary>Revokes a share for good: its URL answers 404 from now on.</summary>
    /// <param name="shareId">The share id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such share for this key.</exception>
    /// <exception cref="CapsuleApiException">409: it already was revoked.</exception>
    public Task<Share> RevokeAsync(string shareId, CancellationToken cancellationToken = default) =>
        PatchAsync(shareId, new UpdateShareBody(null, true), cancellationToken);

    /// <summary>A one-time token that lets a browser into a (private) share; open its URL within a minute.</summary>
    /// <param name="shareId">The share id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such share for this key.</exception>
    /// <exception cref="CapsuleApiException">409: the share is revoked.</exception>
    public async Task<ShareToken> CreateTokenAsync(string shareId, CancellationToken cancellationToken = default)
    {
        var call = new ApiCall(HttpMethod.Post, SharePath(shareId) + "/token");
        var reply = await _transport.SendJsonAsync(call, ClientJsonContext.Default.ShareTokenReply, cancellationToken).ConfigureAwait(false);
        return reply.ToShareToken(shareId);
    }

    private async Task<Share> PatchAsync(string shareId, UpdateShareBody body, CancellationToken cancellationToken)
    {
        var call = new ApiCall(HttpMethod.Patch, SharePath(shareId))
        {
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.UpdateShareBody),
        };
        var reply = await _transport.SendJsonAsync(call, ClientJsonContext.Default.ShareReply, cancellationToken).ConfigureAwait(false);
        return reply.ToShare();
    }

    private static string SharePath(string shareId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(shareId);
        return string.Create(CultureInfo.InvariantCulture, $"v1/shares/{Uri.EscapeDataString(shareId)}");
    }
}
