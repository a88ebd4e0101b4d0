using Microsoft.Extensions.Options;

namespace Capsule.Server.Files;

internal sealed class FileTransferOptionsValidator : IValidateOptions<FileTransferOptions>
{
    public ValidateOptionsResult Validate(string? name, FileTransferOptions options) =>
        options.MaxUploadBytes < 1
            ? ValidateOptionsResult.Fail($"Capsule:Files:MaxUploadBytes must be at least 1, not {options.MaxUploadBytes}.")
            : ValidateOptionsResult.Success;
}
