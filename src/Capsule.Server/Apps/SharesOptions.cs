namespace Capsule.Server.Apps;

/// <summary>How shares are addressed and how browsers get into private ones (<c>Capsule:Shares</c>).</summary>
internal sealed class SharesOptions
{
    public const string SectionName = "Capsule:Shares";

    /// <summary>
    /// When set (e.g. <c>apps.example.test</c>, optionally with <c>:port</c>), each share also has its own host name
    /// <c>&lt;share id&gt;.&lt;domain&gt;</c> on the apps listener, and the URLs handed out use it (wildcard DNS for
    /// <c>*.&lt;domain&gt;</c> must point at the apps listener or a proxy in front of it). Null: path routing only.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>How long a share token (POST /v1/shares/{share_id}/token) can be exchanged for a cookie; single use.</summary>
    public int TokenLifetimeSeconds { get; set; } = 60;

    /// <summary>How long the cookie a token was exchanged for lets a browser into its share.</summary>
    public int CookieLifetimeMinutes { get; set; } = 8 * 60;
}
