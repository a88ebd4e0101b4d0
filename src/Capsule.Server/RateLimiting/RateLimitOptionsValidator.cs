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
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
