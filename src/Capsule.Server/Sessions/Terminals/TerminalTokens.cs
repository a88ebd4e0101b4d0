using System.Collections.Concurrent;
using Capsule.Server.Auth;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Sessions.Terminals;

/// <summary>
/// Short-lived, single-use tokens for browsers, which cannot set X-API-Key on a WebSocket: each names one PTY of one
/// session and may be redeemed once within <see cref="TerminalOptions.TokenLifetime"/>. Held in memory only (a
/// restarted server has no PTYs either).
/// </summary>
internal sealed class TerminalTokens(TimeProvider time, IOptions<TerminalOptions> options)
{
    private readonly ConcurrentDictionary<string, Grant> _grants = new(StringComparer.Ordinal);

    private sealed record Grant(Guid SessionId, string PtyId, DateTimeOffset ExpiresAt);

    public TimeSpan Lifetime => options.Value.TokenLifetime;

    public string Issue(Guid sessionId, string ptyId)
    {
        var now = time.GetUtcNow();
        foreach (var (token, grant) in _grants)
        {
            if (grant.ExpiresAt <= now)
                _grants.TryRemove(token, out _);
        }
        var issued = SecretToken.New();
        _grants[issued] = new Grant(sessionId, ptyId, now + Lifetime);
        return issued;
    }

    /// <summary>True once for a live token issued for this session and PTY; the token is spent either way.</summary>
    public bool Redeem(string token, Guid sessionId, string ptyId) =>
        _grants.TryRemove(token, out var grant)
        && grant.SessionId == sessionId
        && string.Equals(grant.PtyId, ptyId, StringComparison.Ordinal)
        && grant.ExpiresAt > time.GetUtcNow();
}
