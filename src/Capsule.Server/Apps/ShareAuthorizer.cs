using Capsule.Server.Api.Errors;
using Capsule.Server.Auth;
using Capsule.Server.Store;
using Microsoft.Net.Http.Headers;

namespace Capsule.Server.Apps;

/// <summary>
/// Who may use a share: anyone for a public one; for a private one its owner's key in <c>X-API-Key</c> or
/// <c>Authorization: Bearer</c>, or a browser session cookie for that share (<see cref="ShareAccess"/>) while the
/// owner's key is not revoked. Another key is told the share does not exist (404), no credential at all is 401.
/// </summary>
internal sealed class ShareAuthorizer(ApiKeyAuthenticator auth, IApiKeyStore keys, ShareAccess access)
{
    public async Task AuthorizeAsync(HttpRequest request, ShareRecord share, CancellationToken cancellationToken)
    {
        if (share.IsPublic)
            return;
        var caller = await auth.AuthenticateIfPresentAsync(request, bodyKey: null, cancellationToken);
        if (caller is not null)
        {
            if (caller.KeyId != share.ApiKeyId)
                throw new CapsuleException(ErrorCode.NotFound, "Share not found");
            return;
        }
        if (access.IsOpen(ShareCookie.Values(request.Headers[HeaderNames.Cookie]), share.ShareId)
            && await keys.GetAsync(share.ApiKeyId, cancellationToken) is { RevokedAt: null })
            return;
        throw new CapsuleException(ErrorCode.Unauthenticated,
            "This share is private: send its owner's API key in X-API-Key, or open a URL from POST /v1/shares/{share_id}/token in a browser");
    }
}
