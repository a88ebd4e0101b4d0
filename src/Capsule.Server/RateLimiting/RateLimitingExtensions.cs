using Microsoft.Extensions.Options;

namespace Capsule.Server.RateLimiting;

internal static class RateLimitingExtensions
{
    public static IServiceCollection AddCapsuleRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<KeyRateLimiter>();
        services.AddSingleton<KeyQuotas>();
        return services;
    }
}
