using Microsoft.Extensions.Options;

namespace Capsule.Server.RateLimiting;

/// <summary>Checks every <see cref="RateLimitOptions"/> value at once so startup reports all mistakes together.</summary>
internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var errors = new List<string>();
        if (!double.IsFinite(options.RequestsPerSecond) || options.RequestsPerSecond < 0)
            errors.Add($"Capsule:RateLimit:RequestsPerSecond must be 0 (off) or more, not {options.RequestsPerSecond}.");
        if (options.Burst < 1)
            errors.Add($"Capsule:RateLimit:Burst must be at least 1, not {options.Burst}.");
        if (options.MaxRunningSessionsPerKey < 1)
            errors.Add($"Capsule:RateLimit:MaxRunningSessionsPerKey must be at least 1, not {options.MaxRunningSessionsPerKey}.");
        if (options.MaxPendingExecutionsPerKey < 1)
            errors.Add($"Capsule:RateLimit:MaxPendingExecutionsPerKey must be at least 1, not {options.MaxPendingExecutionsPerKey}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
