using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachine
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Machine {VmId} booted (pid {Pid}, {VcpuCount} vCPU): agent ready after {ElapsedMs} ms")]
    private static partial void LogBooted(ILogger logger, string vmId, int pid, int vcpuCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Machine {VmId} restored paused from snap{VcpuCount} (pid {Pid}) in {ElapsedMs} ms")]
    private static partial void LogRestored(ILogger logger, string vmId, int pid, int vcpuCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Machine {VmId} handed over ({MemoryMb} of {RequestedMemoryMb} MB plugged so far): agent ready after {AgentReadyMs} ms, ready after {ElapsedMs} ms")]
    private static partial void LogHandedOver(ILogger logger, string vmId, int memoryMb, int requestedMemoryMb, long agentReadyMs, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Machine {VmId}: virtio-mem plugged {PluggedMb} MB in {ElapsedMs} ms")]
    private static partial void LogPlugged(ILogger logger, string vmId, int pluggedMb, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machine {VmId}: virtio-mem stopped at {MemoryMb} MB of the {RequestedMemoryMb} MB asked for")]
    private static partial void LogPlugIncomplete(ILogger logger, string vmId, int memoryMb, int requestedMemoryMb);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machine {VmId} stopped unexpectedly ({Reason}): {Detail}")]
    private static partial void LogCrashed(ILogger logger, string vmId, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine {VmId} destroyed in {ElapsedMs} ms")]
    private static partial void LogDestroyed(ILogger logger, string vmId, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machine {VmId}: could not delete its run folder {Path}")]
    private static partial void LogFolderNotDeleted(ILogger logger, Exception exception, string vmId, string path);
}
