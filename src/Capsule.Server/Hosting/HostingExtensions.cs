using Capsule.Server.Api;
using Capsule.Server.Apps;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capsule.Server.Hosting;

internal static class HostingExtensions
{
    public const string DataDirectoryVariable = "CAPSULE_DATA_DIR";
    public const string UrlVariable = "CAPSULE_URL";
    public const string ImageDirectoryVariable = "CAPSULE_IMAGE_DIR";
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Open HTTP connections the server accepts at once unless <c>Kestrel:Limits:MaxConcurrentConnections</c> says otherwise.</summary>
    public const int MaxConnections = 2048;

    /// <summary>
    /// Resolves where Capsule keeps its state and where it listens, and feeds the VM layer's defaults:
    /// <list type="bullet">
    /// <item>data: <c>CAPSULE_DATA_DIR</c>, else <c>.capsule</c> under the current directory;</item>
    /// <item>listen URL: <c>--urls</c> (or <c>ASPNETCORE_URLS</c>), else <c>CAPSULE_URL</c>, else <see cref="DefaultUrl"/>;
    /// plus the apps origin's: <c>CAPSULE_APPS_URL</c>, else <c>Capsule:Apps:Url</c>, else <see cref="AppsOptions.DefaultUrl"/> (empty: none);</item>
    /// <item><c>Capsule:Vm:RunDirectory</c> defaults to <c>&lt;data&gt;/run</c>; <c>Capsule:Vm:ImageDirectory</c> to
    /// <c>CAPSULE_IMAGE_DIR</c>, else <c>artifacts/guest</c> under the current directory;</item>
    /// <item><c>Kestrel:Limits:MaxConcurrentConnections</c> to <see cref="MaxConnections"/>.</item>
    /// </list>
    /// Also registers the startup work (schema, stale sessions, admin key) so it runs before any other service.
    /// </summary>
    public static WebApplicationBuilder AddCapsuleHosting(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var dataDirectory = Path.GetFullPath(NonEmpty(configuration[DataDirectoryVariable]) ?? ".capsule");
        var paths = new CapsulePaths(dataDirectory);

        var vmDefaults = new Dictionary<string, string?>();
        if (NonEmpty(configuration["Capsule:Vm:RunDirectory"]) is null)
            vmDefaults["Capsule:Vm:RunDirectory"] = paths.RunDirectory;
        if (NonEmpty(configuration["Capsule:Vm:ImageDirectory"]) is null)
            vmDefaults["Capsule:Vm:ImageDirectory"] = Path.GetFullPath(NonEmpty(configuration[ImageDirectoryVariable]) ?? "artifacts/guest");
        configuration.AddInMemoryCollection(vmDefaults);

        // Kestrel's bounds on a flood of connections (its own default is unlimited); Kestrel:Limits:* in configuration win.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.Limits.MaxConcurrentConnections = MaxConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = MaxConnections;
            context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits);
        });

        var urls = NonEmpty(configuration[WebHostDefaults.ServerUrlsKey]) ?? NonEmpty(configuration[UrlVariable]) ?? DefaultUrl;
        // The apps origin (guest ports, docs/network.md) is a second listener of the same server.
        builder.WebHost.UseUrls(NonEmpty(AppsOptions.ResolveUrl(configuration)) is { } apps ? $"{urls};{apps}" : urls);

        // Per-request framework logs are noise for an operator; our own events carry the session and VM ids.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.AddSingleton(paths);
        builder.Services.AddSingleton<DataDirectoryLock>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<StartupService>();
        // The same names the wire uses, so the OpenAPI document describes the shapes clients really see.
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = CapsuleJsonContext.WireOptions.PropertyNamingPolicy;
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, CapsuleJsonContext.Wire);
        });
        return builder;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
