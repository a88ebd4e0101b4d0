using Capsule.Server.Auth;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Capsule.Server.Apps;

/// <summary>
/// Capsule's credentials never reach the guest: <c>X-API-Key</c>, <c>Authorization</c>, Capsule's share cookie and the
/// dashboard's sign-in cookie are removed from the request (the guest's own cookies stay), and a guest's
/// <c>Set-Cookie</c> for either cookie is dropped from the response.
/// </summary>
internal sealed class StripCredentials : HttpTransformer
{
    public static readonly StripCredentials Instance = new();

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Remove(ApiKeyAuthenticator.HeaderName);
        proxyRequest.Headers.Authorization = null;
        if (proxyRequest.Headers.TryGetValues(HeaderNames.Cookie, out var cookies))
        {
            var kept = cookies.Select(ShareCookie.Strip).OfType<string>().ToList();
            proxyRequest.Headers.Remove(HeaderNames.Cookie);
            if (kept.Count > 0)
                proxyRequest.Headers.TryAddWithoutValidation(HeaderNames.Cookie, string.Join("; ", kept));
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        var setCookies = httpContext.Response.Headers.SetCookie;
        if (setCookies.Any(c => c is not null && ShareCookie.IsOurSetCookie(c)))
            httpContext.Response.Headers.SetCookie = new([.. setCookies.Where(c => c is not null && !ShareCookie.IsOurSetCookie(c))]);
        return result;
    }
}
