using Microsoft.Extensions.Options;

namespace Capsule.Server.Apps;

/// <summary>
/// How a browser gets into a private share without a long-lived secret in a URL:
/// 1. The owner asks <c>POST /v1/shares/{share_id}/token</c> (with its key) for a token: random, single use, valid for
///    <see cref="SharesOptions.TokenLifetimeSeconds"/> (60 s by default).
/// 2. The browser opens <c>&lt;share url&gt;?capsule_share_token=&lt;token&gt;</c>. The apps origin uses the token up,
///    and answers with a redirect to the same URL without it and a cookie holding a different random value (a browser
///    session for that share only, valid for <see cref="SharesOptions.CookieLifetimeMinutes"/>).
/// 3. Later requests carry the cookie; it opens that share and no other, and nothing of it reaches the guest.
/// Both live in memory only: a server restart ends every browser session.
/// </summary>
internal sealed class ShareAccess(TimeProvider time, IOptions<SharesOptions> options)
{
    private readonly SecretGrants _tokens = new(time);
    private readonly SecretGrants _sessions = new(time);

    public (string Token, DateTimeOffset ExpiresAt) IssueToken(string shareId) =>
        _tokens.Issue(shareId, TimeSpan.FromSeconds(options.Value.TokenLifetimeSeconds));

    /// <summary>Uses <paramref name="token"/> up; a browser session value for the share when it was good.</summary>
    public (string Value, TimeSpan Lifetime)? Exchange(string token, string shareId)
    {
        if (!_tokens.TryTake(token, shareId))
            return null;
        var lifetime = TimeSpan.FromMinutes(options.Value.CookieLifetimeMinutes);
        return (_sessions.Issue(shareId, lifetime).Secret, lifetime);
    }

    /// <summary>Whether one of <paramref name="cookieValues"/> is a live browser session for <paramref name="shareId"/>.</summary>
    public bool IsOpen(IEnumerable<string> cookieValues, string shareId) =>
        cookieValues.Any(value => _sessions.Grants(value, shareId));
}
