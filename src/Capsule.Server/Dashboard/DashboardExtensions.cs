using Microsoft.Extensions.Options;

namespace Capsule.Server.Dashboard;

internal static class DashboardExtensions
{
    public static IServiceCollection AddCapsuleDashboard(this IServiceCollection services)
    {
        services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.SectionName);
        services.AddSingleton<DashboardSignins>();
        return services;
    }

    /// <summary>The dashboard's pages and its sign-in routes, unless <c>Capsule:Dashboard:Enabled</c> is false.</summary>
    public static WebApplication MapCapsuleDashboard(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DashboardOptions>>().Value.Enabled)
            return app;
        app.UseDashboardAssets();
        app.MapDashboardApi();
        return app;
    }
}
