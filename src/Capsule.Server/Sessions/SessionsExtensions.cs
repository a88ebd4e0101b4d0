using Capsule.Vm;

namespace Capsule.Server.Sessions;

internal static class SessionsExtensions
{
    public static IServiceCollection AddCapsuleSessions(this IServiceCollection services)
    {
        services.AddSingleton<MachineCounter>();
        services.AddSingleton<MachineAdmission>();
        services.AddSingleton<HostReadings>();
        services.AddSingleton(provider => SessionLimits.From(provider.GetRequiredService<MachineLimits>()));
        services.AddSingleton<SessionServices>();
        services.AddSingleton<SessionRegistry>();
        services.AddHostedService<SessionShutdownService>();
        services.AddHostedService<SessionRetirementService>();
        return services;
    }
}
