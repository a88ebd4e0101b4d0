using Microsoft.Extensions.Options;

namespace Capsule.Server.Files;

internal static class FilesExtensions
{
    public static IServiceCollection AddCapsuleFiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FileTransferOptions>().Bind(configuration.GetSection(FileTransferOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FileTransferOptions>, FileTransferOptionsValidator>();
        return services;
    }
}
