using System.Net.Http.Json;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

/// <summary>
/// API key management (<see cref="CapsuleClient.ApiKeys"/>). A key sees and manages its own keys; an admin key
/// manages all of them and may create admin keys.
/// </summary>
public sealed class ApiKeyClient
{
    private readonly ApiTransport _transport;

    internal ApiKeyClient(ApiTransport transport) => _transport = transport;

    /// <summary>Creates a key. The secret is in the result only: store it.</summary>
    /// <param name="description">What the key is for.</param>
    /// <param name="isAdmin">True for an admin key (only an admin may ask).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="AuthenticationException">403 when a non-admin asks for an admin key.</exception>
    public async Task<CreatedApiKey> CreateAsync(string? description = null, bool isAdmin = false, CancellationToken cancellationToken = default)
    {
        var body = new CreateApiKeyBody(description, isAdmin ? true : null);
        var call = new ApiCall(HttpMethod.Post, "v1/api-keys/")
        {
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.CreateApiKeyBody),
        };
        var reply = await _transport.SendJsonAsync(call, ClientJsonContext.Default.ApiKeyReply, cancellationToken).ConfigureAwait(false);
        return reply.ToCreatedKey();
    }

    /// <summary>Lists keys (own keys; an admin sees all), revoked ones included.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var reply = await _transport.SendJsonAsync(ApiCall.Get("v1/api-keys/"), ClientJsonContext.Default.ListApiKeyReply, cancellationToken)
            .ConfigureAwait(false);
        return [.. reply.Select(WireMapping.ToKeyInfo)];
    }

    /// <summary>Reads one key.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such key visible to the caller.</exception>
    public async Task<ApiKeyInfo> GetAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var reply = await _transport.SendJsonAsync(ApiCall.Get(KeyPath(keyId)), ClientJsonContext.Default.ApiKeyReply, cancellationToken)
            .ConfigureAwait(false);
        return reply.ToKeyInfo();
    }

    /// <summary>Changes a key's description.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="description">The new description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ApiKeyInfo> UpdateAsync(string keyId, string description, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(description);
        var body = new UpdateApiKeyBody(description);
        var call = new ApiCall(HttpMethod.Patch, KeyPath(keyId))
        {
            Content = () => JsonContent.Create(body, ClientJsonContext.Default.UpdateApiKeyBody),
        };
        var reply = await _transport.SendJsonAsync(call, ClientJsonContext.Default.ApiKeyReply, cancellationToken).ConfigureAwait(false);
        return reply.ToKeyInfo();
    }

    /// <summary>Revokes a key: every later call with it fails with 401.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="NotFoundException">No such key visible to the caller.</exception>
    public async Task RevokeAsync(string keyId, CancellationToken cancellationToken = default)
    {
        using var response = await _transport.SendAsync(
            new ApiCall(HttpMethod.Delete, KeyPath(keyId)), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private static string KeyPath(string keyId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        return "v1/api-keys/" + Uri.EscapeDataString(keyId);
    }
}
