using Capsule.Server.Auth;
using Capsule.Server.Store;

namespace Capsule.Server.Hosting;

/// <summary>
/// Runs before the server takes requests, in this order: create the data directory and lock it (one server per data
/// directory), migrate the store's schema (SQLite: creating its file 0600 first; or PostgreSQL, docs/cluster.md),
/// mark sessions a killed or crashed predecessor left active as <c>host_restart</c> and its unfinished executions as failed,
/// delete upload parts it left on disk, make sure an admin key exists.
/// </summary>
internal sealed partial class StartupService(
    CapsulePaths paths,
    DataDirectoryLock dataLock,
    IStoreMigrations migrations,
    ISessionStore sessions,
    IExecutionStore executions,
    AdminKeyBootstrapper adminKey,
    TimeProvider time,
    ILogger<StartupService> logger) : IHostedService
{
    public const string RestartedError = "The server restarted while the execution was running; its VM is gone";
    public const string RestartedDetail = "the server was killed or crashed while this VM ran; its VM was cleaned up at the next start";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(paths.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        dataLock.Acquire();
        LogDataDirectory(logger, paths.DataDirectory);

        await migrations.MigrateAsync(cancellationToken);
        var lost = await sessions.MarkActiveAsHostRestartAsync(RestartedDetail, time.GetUtcNow(), cancellationToken);
        if (lost > 0)
            LogHostLost(logger, lost);
        var failed = await executions.FailUnfinishedAsync(RestartedError, time.GetUtcNow(), cancellationToken);
        if (failed > 0)
            LogExecutionsFailed(logger, failed);
        if (Directory.Exists(paths.UploadDirectory))
            Directory.Delete(paths.UploadDirectory, recursive: true);
        await adminKey.EnsureAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "Data directory {DataDirectory}")]
    private static partial void LogDataDirectory(ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning,
        Message = "{SessionCount} sessions were still active from a previous run; marked host_restart")]
    private static partial void LogHostLost(ILogger logger, int sessionCount);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning,
        Message = "{ExecutionCount} executions were unfinished from a previous run; marked failed")]
    private static partial void LogExecutionsFailed(ILogger logger, int executionCount);
}
