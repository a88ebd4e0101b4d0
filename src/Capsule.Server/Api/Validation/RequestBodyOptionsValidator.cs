using Microsoft.Extensions.Options;

namespace Capsule.Server.Api.Validation;

internal sealed class RequestBodyOptionsValidator : IValidateOptions<RequestBodyOptions>
{
    public ValidateOptionsResult Validate(string? name, RequestBodyOptions options) =>
        options.MaxJsonBodyBytes is < RequestBodyOptions.MinJsonBodyBytes or > RequestBodyOptions.MaxJsonBodyBytesCeiling
            ? ValidateOptionsResult.Fail(
                $"{RequestBodyOptions.SectionName}:MaxJsonBodyBytes must be from {RequestBodyOptions.MinJsonBodyBytes} to " +
                $"{RequestBodyOptions.MaxJsonBodyBytesCeiling} (256 MiB), not {options.MaxJsonBodyBytes}.")
            : ValidateOptionsResult.Success;
}
