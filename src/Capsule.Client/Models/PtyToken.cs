namespace Capsule.Client;

/// <summary>A short-lived, single-use credential for a PTY's attach WebSocket (for browsers, which cannot send X-API-Key there).</summary>
public sealed record PtyToken
{
    /// <summary>The token; pass it as the <c>token</c> query parameter.</summary>
    public required string Token { get; init; }

    /// <summary>How long it may be redeemed.</summary>
    public required TimeSpan ExpiresIn { get; init; }

    /// <summary>The attach path with the token in its query, relative to the server's base URL.</summary>
    public required string AttachUrl { get; init; }
}
