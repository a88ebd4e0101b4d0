namespace Capsule.Server.Health;

internal static class HealthExtensions
{
    public static IServiceCollection AddCapsuleHealth(this IServiceCollection services) => services.AddSingleton<HostView>();
}
