namespace Capsule.Client;

/// <summary>A guest port of a session served at a URL of the server's apps origin, named by an unguessable share id.</summary>
public sealed record Share
{
    /// <summary>The share id (26 lower-case base32 characters).</summary>
    public required string ShareId { get; init; }

    /// <summary>The session whose VM serves it.</summary>
    public required string SessionId { get; init; }

    /// <summary>The guest TCP port it serves.</summary>
    public required int Port { get; init; }

    /// <summary>True: anyone with the URL may use it. False: only the key that made it (or a browser that opened a <see cref="ShareToken"/>).</summary>
    public required bool IsPublic { get; init; }

    /// <summary>The URL (<c>&lt;apps url&gt;/&lt;share id&gt;/</c>, or <c>&lt;share id&gt;.&lt;domain&gt;</c> when the server has a share domain).</summary>
    public required Uri Url { get; init; }

    /// <summary><c>active</c> or <c>revoked</c>.</summary>
    public required string Status { get; init; }

    /// <summary>True once revoked: its URL answers 404 for good.</summary>
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>When it was made.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was revoked, if it was.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
}
