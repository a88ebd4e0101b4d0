using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qmp;

internal sealed partial class QmpClient
{
    [LoggerMessage(Level = LogLevel.Error, Message = "QMP connection {Name} broke: {Reason}")]
    private static partial void LogBroken(ILogger logger, Exception? exception, string name, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "QMP connection {Name} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "QMP {Name} sent a line that is neither an event nor a reply with an id: {Line}")]
    private static partial void LogUnmatchedReply(ILogger logger, string name, string line);
}
