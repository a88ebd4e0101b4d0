namespace Capsule.Server.Sessions;

internal sealed partial class SessionActor
{
    private static readonly Func<ILogger, Guid, IDisposable?> SessionScope =
        LoggerMessage.DefineScope<Guid>("Session {SessionId}");

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Spawning a VM ({VcpuCount} vCPU, {MemoryMb} MB)")]
    private static partial void LogSpawning(ILogger logger, int vcpuCount, int memoryMb);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "VM {VmId} ready in {ElapsedMs:0} ms")]
    private static partial void LogSpawned(ILogger logger, string vmId, double elapsedMs);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "VM {VmId} ended ({Reason}) after {UptimeSeconds:0.0} s")]
    private static partial void LogEnded(ILogger logger, string vmId, string reason, double uptimeSeconds);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "VM {VmId} crashed: {Detail}")]
    private static partial void LogCrashed(ILogger logger, string vmId, string detail);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning,
        Message = "Executions on VM {VmId} did not stop within {DrainSeconds} s; destroying it anyway")]
    private static partial void LogDrainTimedOut(ILogger logger, string vmId, double drainSeconds);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "VM {VmId} did not answer an execution within {Seconds} s")]
    private static partial void LogExecDeadlineMissed(ILogger logger, string vmId, double seconds);

    [LoggerMessage(EventId = 307, Level = LogLevel.Information, Message = "VM lifetime set to {LifetimeSeconds} s from spawn")]
    private static partial void LogLifetimeChanged(ILogger logger, int lifetimeSeconds);

    [LoggerMessage(EventId = 306, Level = LogLevel.Error, Message = "A background session operation failed")]
    private static partial void LogBackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 308, Level = LogLevel.Information, Message = "The guest did not give its counters for usage: {Reason}")]
    private static partial void LogStatsRefused(ILogger logger, string reason);
}
