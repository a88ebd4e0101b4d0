using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Capsule.Server.Auth;

namespace Capsule.Server.Apps;

/// <summary>
/// Random secrets (256 bits, base64url) that each grant access to one share until they expire, kept in memory only
/// and by hash (a server restart forgets them all). Expired ones are dropped whenever a new one is issued.
/// </summary>
internal sealed class SecretGrants(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Grant> _grants = new(StringComparer.Ordinal);

    public (string Secret, DateTimeOffset ExpiresAt) Issue(string shareId, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        foreach (var (hash, grant) in _grants)
        {
            if (grant.ExpiresAt <= now)
                _grants.TryRemove(hash, out _);
        }
        var secret = SecretToken.New();
        var expiresAt = now + lifetime;
        _grants[Hash(secret)] = new Grant(shareId, expiresAt);
        return (secret, expiresAt);
    }

    /// <summary>Whether <paramref name="secret"/> grants <paramref name="shareId"/> now; it is used up either way (single use).</summary>
    public bool TryTake(string secret, string shareId) =>
        _grants.TryRemove(Hash(secret), out var grant) && IsLive(grant, shareId);

    /// <summary>Whether <paramref name="secret"/> grants <paramref name="shareId"/> now; it stays usable.</summary>
    public bool Grants(string secret, string shareId) =>
        _grants.TryGetValue(Hash(secret), out var grant) && IsLive(grant, shareId);

    private bool IsLive(Grant grant, string shareId) =>
        grant.ShareId == shareId && grant.ExpiresAt > time.GetUtcNow();

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private sealed record Grant(string ShareId, DateTimeOffset ExpiresAt);
}
