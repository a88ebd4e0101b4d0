using Capsule.Server.Hosting;
using Capsule.Server.Store;

namespace Capsule.Server.Auth;

/// <summary>
/// On a first start (no usable admin key in the store) creates one, prints it once to stdout and writes it to
/// <c>&lt;data&gt;/admin.key</c> with mode 0600. The key never goes to the log; its id does.
/// </summary>
internal sealed partial class AdminKeyBootstrapper(
    IApiKeyStore store, ApiKeyService keys, CapsulePaths paths, BannerWriter banner, ILogger<AdminKeyBootstrapper> logger)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (await store.HasActiveAdminAsync(cancellationToken))
            return;

        var (record, key) = await keys.CreateAsync("admin (created at first start)", isAdmin: true, cancellationToken);
        await WriteKeyFileAsync(paths.AdminKeyFile, key, cancellationToken);
        banner.Write("Capsule admin API key (shown once; also saved to the file below, mode 0600):", key, paths.AdminKeyFile);
        LogAdminKeyCreated(logger, record.Id, paths.AdminKeyFile);
    }

    private static async Task WriteKeyFileAsync(string path, string key, CancellationToken cancellationToken)
    {
        File.Delete(path);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteLineAsync(key.AsMemory(), cancellationToken);
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning,
        Message = "No admin API key existed: created {KeyId} and wrote it to {Path}")]
    private static partial void LogAdminKeyCreated(ILogger logger, string keyId, string path);
}
