using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachineHost
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Machines run on KVM: {Reason}")]
    private static partial void LogKvm(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machines run on TCG (software emulation, much slower than KVM): {Reason}")]
    private static partial void LogTcg(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Machine {VmId} failed to start")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, string vmId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Destroying the {Count} machines still alive")]
    private static partial void LogDestroyingAll(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshot build: {Message}")]
    private static partial void LogSnapshotProgress(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine {VmId} taken from the snap{VcpuCount} warm pool")]
    private static partial void LogFromPool(ILogger logger, string vmId, int vcpuCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pooled machine {VmId} failed its hand-over; restoring a fresh one instead")]
    private static partial void LogPooledHandOverFailed(ILogger logger, Exception exception, string vmId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm pool: keeping {Size} paused machines for each of snap{VcpuCounts}")]
    private static partial void LogPoolStarting(ILogger logger, int size, string vcpuCounts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Machine {VmId} restored into the snap{VcpuCount} warm pool in {ElapsedMs} ms")]
    private static partial void LogPooled(ILogger logger, string vmId, int vcpuCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm pool refill paused: {Reason}")]
    private static partial void LogPoolPaused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Warm pool refill resumed")]
    private static partial void LogPoolResumed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Warm pool: restoring a snap{VcpuCount} machine failed; retrying later")]
    private static partial void LogRefillFailed(ILogger logger, Exception exception, int vcpuCount);
}
