using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capsule.Server.Tests.Shares;

/// <summary>
/// "The guest's" HTTP server, on a real loopback port (the fake machines report 127.0.0.1 as their endpoint): it
/// answers every request with JSON of what it got (<c>method</c>, <c>path</c>, <c>query</c>, <c>headers</c> with
/// lower-case names) and counts them. <c>/set-cookies</c> also answers with a Capsule-named and a guest cookie.
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private EchoUpstream(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>How many requests reached this server.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<EchoUpstream> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var upstream = new EchoUpstream(app);
        app.Run(upstream.AnswerAsync);
        await app.StartAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        upstream.Port = new Uri(address).Port;
        return upstream;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var headers = new JsonObject();
        foreach (var (name, values) in context.Request.Headers)
            headers[name.ToLowerInvariant()] = values.ToString();
        if (context.Request.Path == "/set-cookies")
        {
            context.Response.Headers.Append("Set-Cookie", "capsule_share=guest-chosen; Path=/");
            context.Response.Headers.Append("Set-Cookie", "capsule_dashboard=guest-chosen; Path=/");
            context.Response.Headers.Append("Set-Cookie", "guest=1; Path=/");
        }
        var body = new JsonObject
        {
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["headers"] = headers,
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(bound.Token);
        await _app.DisposeAsync();
    }
}
