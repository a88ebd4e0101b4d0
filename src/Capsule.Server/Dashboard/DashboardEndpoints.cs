using Capsule.Server.Api;
using Capsule.Server.Api.Errors;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Health;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Dashboard;

/// <summary>
/// The dashboard's own routes, under <c>/ui/api/</c> (not part of the InstaVM API, not in <c>/openapi.json</c>). Every
/// other call the page makes goes to the public API with the sign-in's cookie and CSRF header.
/// <list type="number">
/// <item><c>POST /ui/api/signin {"api_key"}</c>: the key is checked once and exchanged for an HttpOnly, SameSite=Strict
/// cookie; the answer carries the CSRF token the page keeps in memory (never in storage, never in a URL).</item>
/// <item><c>GET /ui/api/me</c>: the cookie alone gives the page its sign-in back (and the CSRF token) after a reload;
/// a page on another origin cannot read the answer.</item>
/// <item><c>POST /ui/api/signout</c> (cookie and CSRF header): ends the sign-in and deletes the cookie.</item>
/// <item><c>GET /ui/api/host</c> (admin keys only): the host page's figures.</item>
/// </list>
/// </summary>
internal static class DashboardEndpoints
{
    private const string NoSignin = "Not signed in, or the sign-in has ended";

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/ui/api/signin", SigninAsync).ExcludeFromDescription();
        app.MapGet("/ui/api/me", MeAsync).ExcludeFromDescription();
        app.MapPost("/ui/api/signout", SignoutAsync).ExcludeFromDescription();
        app.MapGet("/ui/api/host", HostAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<JsonHttpResult<DashboardSigninResponse>> SigninAsync(
        HttpContext context, ApiKeyAuthenticator auth, DashboardSignins signins, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(context.Request, cancellationToken);
        var fields = new BodyFields(document.RootElement);
        var given = fields.RequiredString("api_key");
        fields.ThrowIfInvalid();
        var key = given!.Trim();
        var caller = await auth.AuthenticateKeyAsync(key, cancellationToken);
        var (cookie, signin) = signins.Start(ApiKeyFormat.Hash(key), caller.KeyId);
        DashboardCredential.Append(context.Response, cookie, signin.ExpiresAt);
        context.Response.Headers.CacheControl = "no-store";
        return Answer(signin, caller);
    }

    private static async Task<JsonHttpResult<DashboardSigninResponse>> MeAsync(
        HttpContext context, ApiKeyAuthenticator auth, DashboardSignins signins, CancellationToken cancellationToken)
    {
        if (DashboardCredential.CookieOf(context.Request) is not { } cookie || signins.Find(cookie) is not { } signin)
            throw new CapsuleException(ErrorCode.Unauthenticated, NoSignin);
        var caller = await auth.AuthenticateSigninAsync(signin, cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return Answer(signin, caller);
    }

    private static IResult SignoutAsync(HttpContext context, ApiKeyAuthenticator auth, DashboardSignins signins)
    {
        if (auth.DashboardSigninOf(context.Request) is null)
            throw new CapsuleException(ErrorCode.Unauthenticated, NoSignin);
        signins.End(DashboardCredential.CookieOf(context.Request)!);
        DashboardCredential.Delete(context.Response);
        return TypedResults.NoContent();
    }

    private static async Task<JsonHttpResult<HealthResponse>> HostAsync(
        HttpRequest request, ApiKeyAuthenticator auth, HostView host, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        if (!caller.IsAdmin)
            throw new CapsuleException(ErrorCode.PermissionDenied, "The host page is for admin keys only");
        return TypedResults.Json(host.Now(), CapsuleJsonContext.Wire.HealthResponse);
    }

    private static JsonHttpResult<DashboardSigninResponse> Answer(DashboardSignin signin, Caller caller) =>
        TypedResults.Json(
            new DashboardSigninResponse(signin.CsrfToken, caller.KeyId, caller.IsAdmin, WireTime.Format(signin.ExpiresAt)),
            CapsuleJsonContext.Wire.DashboardSigninResponse);
}
