using Capsule.Server.Api.Errors;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Apps;

/// <summary>
/// Step 2 of <see cref="ShareAccess"/>: a request carrying <c>capsule_share_token</c> never reaches the guest. A good
/// token becomes a cookie and a 303 redirect to the same URL without the token (so it does not stay in the address
/// bar, history or a Referer); a used, expired or foreign token is 401.
/// </summary>
internal sealed class ShareTokenExchange(ShareAccess access, IOptions<AppsOptions> apps)
{
    public static bool Carries(HttpRequest request) => request.Query.ContainsKey(ShareCookie.TokenParameter);

    public void Exchange(HttpContext context, ShareRoute route)
    {
        var request = context.Request;
        var token = request.Query[ShareCookie.TokenParameter].ToString();
        var session = access.Exchange(token, route.ShareId)
            ?? throw new CapsuleException(ErrorCode.Unauthenticated,
                "The share token is used, expired or for another share; ask POST /v1/shares/{share_id}/token for a new one");

        var secure = apps.Value.Url.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        ShareCookie.Append(context.Response, session.Value, route.CookiePath, session.Lifetime, secure);
        var query = new QueryBuilder(request.Query
            .Where(p => p.Key != ShareCookie.TokenParameter)
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? ""))));
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = $"{request.PathBase}{request.Path}{query.ToQueryString()}";
    }
}
