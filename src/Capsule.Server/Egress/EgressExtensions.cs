using Microsoft.Extensions.Options;

namespace Capsule.Server.Egress;

internal static class EgressExtensions
{
    public static IServiceCollection AddCapsuleEgress(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EgressOptions>().Bind(configuration.GetSection(EgressOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EgressOptions>, EgressOptionsValidator>();
        services.AddSingleton<EgressDefaults>();
        services.AddSingleton<SessionEgress>();
        return services;
    }
}

/// <summary>A malformed default policy or package-manager host stops the server at start, with the entry named.</summary>
internal sealed class EgressOptionsValidator : IValidateOptions<EgressOptions>
{
    public ValidateOptionsResult Validate(string? name, EgressOptions options)
    {
        try
        {
            _ = new EgressDefaults(Options.Create(options));
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
