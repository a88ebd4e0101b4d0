namespace Capsule.Server.Apps;

/// <summary>The apps origin (<c>Capsule:Apps</c>): where guest ports are served, apart from the API's origin.</summary>
internal sealed class AppsOptions
{
    public const string SectionName = "Capsule:Apps";

    /// <summary>Environment variable that sets <see cref="Url"/> (as CAPSULE_URL sets the API's).</summary>
    public const string UrlVariable = "CAPSULE_APPS_URL";

    public const string DefaultUrl = "http://127.0.0.1:8079";

    /// <summary>
    /// The apps listener's URL: guest content is served from this origin only, never the API's, so a page a guest serves
    /// cannot script the API with a user's credentials. Empty turns the listener off (app URLs then answer 503).
    /// </summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>
    /// The apps URL configuration gives: <see cref="UrlVariable"/> if set (empty turns the listener off), else
    /// <c>Capsule:Apps:Url</c>, else <see cref="DefaultUrl"/>. The one rule for both the listener and the URLs handed out.
    /// </summary>
    public static string ResolveUrl(IConfiguration configuration) =>
        configuration[UrlVariable] ?? configuration[$"{SectionName}:Url"] ?? DefaultUrl;

    /// <summary>The listener's port, or null when it is off.</summary>
    public int? Port => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.Port : null;

    /// <summary>The URL of share <paramref name="shareId"/>: <c>&lt;Url&gt;/&lt;share id&gt;/</c>.</summary>
    public string ShareUrl(string shareId) => $"{Url.TrimEnd('/')}/{shareId}/";
}
