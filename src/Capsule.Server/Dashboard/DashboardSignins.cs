using System.Collections.Concurrent;
using Capsule.Server.Auth;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Dashboard;

/// <summary>
/// The dashboard's sign-ins: an API key exchanged once for a random cookie value and a CSRF token. Only the key's hash
/// is kept (so every request re-checks the key: a revoked key ends its sign-ins at once), and only in memory: a
/// restarted server asks the browser to sign in again. Cookie values are kept hashed too.
/// </summary>
internal sealed class DashboardSignins(IOptions<DashboardOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DashboardSignin> signins = new(StringComparer.Ordinal);

    /// <summary>Starts a sign-in; returns the cookie value (shown to the browser only) and the sign-in.</summary>
    public (string CookieValue, DashboardSignin Signin) Start(string keyHash, string keyId)
    {
        Prune();
        var limit = options.Value.MaxSignins;
        if (signins.Count >= limit)
        {
            foreach (var oldest in signins.OrderBy(pair => pair.Value.ExpiresAt).Take(signins.Count - limit + 1))
                signins.TryRemove(oldest.Key, out _);
        }
        var cookie = SecretToken.New();
        var signin = new DashboardSignin(keyHash, keyId, SecretToken.New(), time.GetUtcNow() + options.Value.Lifetime);
        signins[ApiKeyFormat.Hash(cookie)] = signin;
        return (cookie, signin);
    }

    /// <summary>The live sign-in this cookie value names, or null (unknown or expired).</summary>
    public DashboardSignin? Find(string cookieValue)
    {
        var id = ApiKeyFormat.Hash(cookieValue);
        if (!signins.TryGetValue(id, out var signin))
            return null;
        if (signin.ExpiresAt > time.GetUtcNow())
            return signin;
        signins.TryRemove(id, out _);
        return null;
    }

    public void End(string cookieValue) => signins.TryRemove(ApiKeyFormat.Hash(cookieValue), out _);

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, signin) in signins)
        {
            if (signin.ExpiresAt <= now)
                signins.TryRemove(id, out _);
        }
    }
}

/// <summary>One dashboard sign-in: whose key (by hash), the CSRF token its requests must carry, and when it ends.</summary>
internal sealed record DashboardSignin(string KeyHash, string KeyId, string CsrfToken, DateTimeOffset ExpiresAt);
