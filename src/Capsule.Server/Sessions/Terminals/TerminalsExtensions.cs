namespace Capsule.Server.Sessions.Terminals;

internal static class TerminalsExtensions
{
    public static IServiceCollection AddCapsuleTerminals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TerminalOptions>().Bind(configuration.GetSection(TerminalOptions.Section))
            .Validate(o => o.ReattachGrace > TimeSpan.Zero && o.TokenLifetime > TimeSpan.Zero && o.MaxPerSession > 0,
                "Capsule:Pty: ReattachGrace and TokenLifetime must be positive, MaxPerSession at least 1")
            .ValidateOnStart();
        services.AddSingleton<TerminalRegistry>();
        services.AddSingleton<TerminalTokens>();
        return services;
    }
}
