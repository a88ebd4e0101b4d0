using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capsule.Server.Auth;

internal static class AuthExtensions
{
    public static IServiceCollection AddCapsuleAuth(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<AdminKeyBootstrapper>();
        services.TryAddSingleton<BannerWriter>();
        return services;
    }
}
