namespace Capsule.Server.Sessions;

internal static class SessionsExtensions
{
    public static IServiceCollection AddCapsuleSessions(this IServiceCollection services)
    {
        services.AddSingleton<MachineCounter>();
        services.AddSingleton<SessionServices>();
        services.AddSingleton<SessionRegistry>();
        services.AddHostedService<SessionShutdownService>();
        services.AddHostedService<SessionRetirementService>();
        return services;
    }
}
