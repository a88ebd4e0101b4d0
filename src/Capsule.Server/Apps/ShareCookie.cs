using Capsule.Server.Dashboard;

namespace Capsule.Server.Apps;

/// <summary>
/// Capsule's own cookie on the apps origin (a browser session for one share, see <see cref="ShareAccess"/>) and the
/// query parameter that carries a one-time token. Neither ever reaches a guest, and a guest cannot set the cookie.
/// </summary>
internal static class ShareCookie
{
    public const string Name = "capsule_share";

    public const string TokenParameter = "capsule_share_token";

    /// <summary>
    /// HttpOnly, SameSite=Lax, scoped to the share's folder (path routing) or its own host (host routing); Secure when
    /// <paramref name="secure"/> (an https apps URL, e.g. behind a TLS proxy) or the request came over HTTPS.
    /// </summary>
    public static void Append(HttpResponse response, string value, string path, TimeSpan lifetime, bool secure) =>
        response.Cookies.Append(Name, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = secure || response.HttpContext.Request.IsHttps,
            Path = path,
            MaxAge = lifetime,
        });

    /// <summary>Every value the request's Cookie headers give Capsule's cookie (a guest may have tossed in others).</summary>
    public static IEnumerable<string> Values(IEnumerable<string?> cookieHeaders)
    {
        foreach (var header in cookieHeaders)
        {
            foreach (var pair in (header ?? "").Split(';'))
            {
                var equals = pair.IndexOf('=');
                if (equals > 0 && IsOurs(pair.AsSpan(0, equals)))
                    yield return pair[(equals + 1)..].Trim().Trim('"');
            }
        }
    }

    /// <summary>
    /// The Cookie header without Capsule's cookies (this one and the dashboard's sign-in cookie, which a browser also
    /// sends to the apps origin: same host, and cookies ignore ports); other cookies kept in order; null when none is left.
    /// </summary>
    public static string? Strip(string cookieHeader)
    {
        var kept = cookieHeader.Split(';')
            .Where(pair => pair.Trim().Length > 0 && !IsCapsules(pair.AsSpan(0, Math.Max(pair.IndexOf('='), 0))))
            .Select(pair => pair.Trim());
        var joined = string.Join("; ", kept);
        return joined.Length == 0 ? null : joined;
    }

    /// <summary>Whether a guest's Set-Cookie header would set one of Capsule's cookies.</summary>
    public static bool IsOurSetCookie(string setCookie)
    {
        var equals = setCookie.IndexOf('=');
        return equals > 0 && IsCapsules(setCookie.AsSpan(0, equals));
    }

    private static bool IsOurs(ReadOnlySpan<char> name) => name.Trim().Equals(Name, StringComparison.OrdinalIgnoreCase);

    private static bool IsCapsules(ReadOnlySpan<char> name) =>
        IsOurs(name) || name.Trim().Equals(DashboardCredential.CookieName, StringComparison.OrdinalIgnoreCase);
}
