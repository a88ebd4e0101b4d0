using Capsule.Server.Api.Errors;
using Capsule.Server.Metrics;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// The one translation of the VM layer's refusals into the API's. Every detail a client sees is a short sentence
/// written here or a guest-side one (a guest path and what the agent said of it); the VM layer's own message and its
/// host detail (QEMU's log, the console, host paths, the host's memory totals) go to the log only.
/// </summary>
internal static partial class MachineErrors
{
    public static CapsuleException Translate(MachineException exception, ILogger logger)
    {
        LogTranslated(logger, exception.Code, exception.Message, exception.HostDetail ?? "", exception);
        return exception.Code switch
        {
            MachineErrorCode.CapacityExhausted => new(ErrorCode.Unavailable,
                "This host has no capacity for another VM right now; try again later"),
            MachineErrorCode.StartFailed => new(ErrorCode.Unavailable,
                "The VM could not be started; try again later"),
            MachineErrorCode.ImageMissing => new(ErrorCode.Unavailable,
                "The guest image is not available on this host"),
            MachineErrorCode.MachineGone => new(ErrorCode.Unavailable,
                "The session's VM is gone (it crashed or was destroyed); retry to get a fresh VM"),
            MachineErrorCode.GuestError => new(ErrorCode.Unavailable, exception.Message),
            MachineErrorCode.FileNotFound => new(ErrorCode.NotFound, $"File not found: {exception.Message}"),
            MachineErrorCode.IsDirectory => new(ErrorCode.InvalidArgument, $"Path is a directory: {exception.Message}"),
            MachineErrorCode.InvalidPath => new(ErrorCode.InvalidArgument, $"Invalid path: {exception.Message}"),
            _ => throw new ArgumentOutOfRangeException(nameof(exception), exception.Code, "Unknown machine error code"),
        };
    }

    /// <summary>Counts what an operator watches in a refused start: a host without room, or a VM that never became ready.</summary>
    public static void Count(MachineException exception, CapsuleMetrics metrics)
    {
        if (exception.Code == MachineErrorCode.CapacityExhausted)
            metrics.Refused(RefusalReason.Capacity);
        else if (exception.Code == MachineErrorCode.StartFailed)
            metrics.RestoreFailed();
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning,
        Message = "The VM layer refused ({MachineErrorCode}): {VmMessage} {HostDetail}")]
    private static partial void LogTranslated(ILogger logger, MachineErrorCode machineErrorCode, string vmMessage, string hostDetail, Exception exception);
}
