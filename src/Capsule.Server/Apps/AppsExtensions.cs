using Microsoft.Extensions.Options;

namespace Capsule.Server.Apps;

internal static class AppsExtensions
{
    public static IServiceCollection AddCapsuleApps(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AppsOptions>().Bind(configuration.GetSection(AppsOptions.SectionName))
            .PostConfigure(options => options.Url = AppsOptions.ResolveUrl(configuration));
        services.AddOptions<SharesOptions>().Bind(configuration.GetSection(SharesOptions.SectionName))
            .PostConfigure(options => options.Domain = options.Domain?.Trim().ToLowerInvariant() is { Length: > 0 } domain ? domain : null)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SharesOptions>, SharesOptionsValidator>();
        services.AddHttpForwarder();
        services.AddSingleton<ShareUrls>();
        services.AddSingleton<ShareAccess>();
        services.AddSingleton<ShareAuthorizer>();
        services.AddSingleton<ShareTokenExchange>();
        services.AddSingleton<AppProxy>();
        return services;
    }

    /// <summary>Requests that arrive on the apps listener's port go to <see cref="AppProxy"/> and nowhere else; the API is not served there.</summary>
    public static IApplicationBuilder UseCapsuleApps(this IApplicationBuilder app)
    {
        var port = app.ApplicationServices.GetRequiredService<IOptions<AppsOptions>>().Value.Port;
        if (port is null)
            return app;
        var proxy = app.ApplicationServices.GetRequiredService<AppProxy>();
        return app.MapWhen(context => context.Connection.LocalPort == port, apps => apps.Run(proxy.HandleAsync));
    }
}
