using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

internal sealed partial class QemuProcess
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Started {Binary} as pid {Pid}")]
    private static partial void LogStarted(ILogger logger, int pid, string binary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "QEMU pid {Pid} ignored quit and SIGTERM; sending SIGKILL")]
    private static partial void LogKilling(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "QEMU pid {Pid} is still alive after SIGKILL")]
    private static partial void LogKillIgnored(ILogger logger, int pid);
}
