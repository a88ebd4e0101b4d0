namespace Capsule.Client;

/// <summary>
/// A one-time way for a browser into a private share: open <see cref="Url"/> once before it expires; the server uses
/// the token up, sets an HttpOnly cookie for that share only and redirects to the share without the token.
/// </summary>
public sealed record ShareToken
{
    /// <summary>The share it opens.</summary>
    public required string ShareId { get; init; }

    /// <summary>The token itself (single use).</summary>
    public required string Token { get; init; }

    /// <summary>The share URL with the token, for a browser to open.</summary>
    public required Uri Url { get; init; }

    /// <summary>How long it could be used when the server issued it (60 s by default).</summary>
    public required TimeSpan ExpiresIn { get; init; }

    /// <summary>When it stops working.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
