using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

internal sealed partial class QemuMachine
{
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Machine {VmId} started (pid {Pid}, {VcpuCount} vCPU, {MemoryMb} MB): agent ready after {AgentReadyMs} ms, ready after {ElapsedMs} ms")]
    private static partial void LogStarted(ILogger logger, string vmId, int pid, int vcpuCount, int memoryMb, long agentReadyMs, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machine {VmId} stopped unexpectedly: {Detail}")]
    private static partial void LogCrashed(ILogger logger, string vmId, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Machine {VmId} destroyed in {ElapsedMs} ms")]
    private static partial void LogDestroyed(ILogger logger, string vmId, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Machine {VmId}: could not delete its run folder {Path}")]
    private static partial void LogFolderNotDeleted(ILogger logger, Exception exception, string vmId, string path);
}
