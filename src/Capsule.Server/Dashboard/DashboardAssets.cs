using Capsule.Server.Apps;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Dashboard;

/// <summary>
/// Serves the built dashboard from <see cref="DashboardOptions.ResolvedAssetsDirectory"/>: <c>/</c> and <c>/ui</c> redirect
/// to <c>/ui/</c>, which is <c>index.html</c>; <c>/ui/assets/…</c> are the bundles. Every answer carries a strict
/// Content-Security-Policy (scripts only from this origin, no inline script, frames only from the apps origin) and is
/// never framed. Without built assets <c>/ui/</c> says how to build them (503).
/// </summary>
internal static class DashboardAssets
{
    public static WebApplication UseDashboardAssets(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var apps = app.Services.GetRequiredService<IOptions<AppsOptions>>().Value;
        var policy = ContentSecurityPolicy(apps.Url);
        var root = options.ResolvedAssetsDirectory;
        var index = Path.Combine(root, "index.html");

        app.MapGet("/", () => Results.Redirect("/ui/")).ExcludeFromDescription();
        // Routing matches /ui and /ui/ alike; the page's relative asset paths need the slash.
        app.MapGet("/ui/", (HttpContext context) =>
        {
            if (!context.Request.Path.Value!.EndsWith('/'))
                return Results.Redirect("/ui/");
            Secure(context.Response, policy);
            if (!File.Exists(index))
            {
                return Results.Text("The dashboard's assets are not built: run `make build` (it needs Node.js and npm).",
                    "text/plain; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            context.Response.Headers.CacheControl = "no-cache";
            return Results.File(index, "text/html; charset=utf-8");
        }).ExcludeFromDescription();

        if (Directory.Exists(Path.Combine(root, "assets")))
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(Path.Combine(root, "assets")),
                RequestPath = "/ui/assets",
                OnPrepareResponse = prepared =>
                {
                    Secure(prepared.Context.Response, policy);
                    prepared.Context.Response.Headers.CacheControl = "no-cache";
                },
            });
        }
        return app;
    }

    private static void Secure(HttpResponse response, string policy)
    {
        response.Headers.ContentSecurityPolicy = policy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>
    /// Scripts from this origin only; styles may be inline (xterm.js and uPlot set them); connections to this origin
    /// (its WebSockets included); frames only from the apps origin, where guest HTML is shown sandboxed.
    /// </summary>
    private static string ContentSecurityPolicy(string appsUrl)
    {
        var frames = Uri.TryCreate(appsUrl, UriKind.Absolute, out var apps) ? apps.GetLeftPart(UriPartial.Authority) : "'none'";
        return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            + $"connect-src 'self'; frame-src {frames}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
            + "object-src 'none'";
    }
}
