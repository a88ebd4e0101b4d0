using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

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
}
