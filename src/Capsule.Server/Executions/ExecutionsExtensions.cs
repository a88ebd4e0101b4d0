namespace Capsule.Server.Executions;

internal static class ExecutionsExtensions
{
    /// <summary>Register after the sessions: hosted services stop in reverse order, so executions are recorded first.</summary>
    public static IServiceCollection AddCapsuleExecutions(this IServiceCollection services)
    {
        services.AddSingleton<ExecutionRunner>();
        services.AddHostedService<ExecutionShutdownService>();
        return services;
    }
}
