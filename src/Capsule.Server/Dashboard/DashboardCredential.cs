using System.Security.Cryptography;
using System.Text;

namespace Capsule.Server.Dashboard;

/// <summary>
/// How a dashboard request proves who it is: the HttpOnly, SameSite=Strict cookie <see cref="CookieName"/> and, on
/// every request, the sign-in's CSRF token in <see cref="CsrfHeader"/>. The cookie alone is never enough: a page on
/// another origin (a guest's page on the apps origin is same-site, so SameSite does not stop it) cannot set a custom
/// header without a CORS preflight this server never answers, and cannot read the token.
/// </summary>
internal static class DashboardCredential
{
    public const string CookieName = "capsule_dashboard";

    public const string CsrfHeader = "X-Capsule-Csrf";

    /// <summary>The request's cookie value, or null.</summary>
    public static string? CookieOf(HttpRequest request) =>
        request.Cookies.TryGetValue(CookieName, out var value) && value.Length > 0 ? value : null;

    /// <summary>The sign-in the request's cookie names when its CSRF header matches that sign-in's token; else null.</summary>
    public static DashboardSignin? SigninOf(HttpRequest request, DashboardSignins signins)
    {
        if (CookieOf(request) is not { } cookie || signins.Find(cookie) is not { } signin)
            return null;
        var given = request.Headers[CsrfHeader].ToString();
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(signin.CsrfToken)) ? signin : null;
    }

    /// <summary>HttpOnly, SameSite=Strict, path <c>/</c>, Secure over HTTPS; it lives as long as the sign-in.</summary>
    public static void Append(HttpResponse response, string value, DateTimeOffset expiresAt) =>
        response.Cookies.Append(CookieName, value, Options(response, expiresAt));

    public static void Delete(HttpResponse response) => response.Cookies.Delete(CookieName, Options(response, expires: null));

    private static CookieOptions Options(HttpResponse response, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = response.HttpContext.Request.IsHttps,
        Path = "/",
        Expires = expires,
    };
}
