using Microsoft.Extensions.Options;

namespace Capsule.Server.Apps;

/// <summary>Checks every <see cref="SharesOptions"/> value at once so start-up reports all mistakes together.</summary>
internal sealed class SharesOptionsValidator : IValidateOptions<SharesOptions>
{
    public ValidateOptionsResult Validate(string? name, SharesOptions options)
    {
        var errors = new List<string>();
        if (options.Domain is { Length: > 0 } domain && ShareDomain.Problem(domain) is { } problem)
            errors.Add($"Capsule:Shares:Domain '{domain}' is not a usable domain: {problem} (example: apps.example.test).");
        if (options.TokenLifetimeSeconds is < 1 or > 3600)
            errors.Add($"Capsule:Shares:TokenLifetimeSeconds must be 1 to 3600, not {options.TokenLifetimeSeconds}.");
        if (options.CookieLifetimeMinutes is < 1 or > 7 * 24 * 60)
            errors.Add($"Capsule:Shares:CookieLifetimeMinutes must be 1 to 10080 (a week), not {options.CookieLifetimeMinutes}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
