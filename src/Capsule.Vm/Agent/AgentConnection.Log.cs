using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Agent;

internal sealed partial class AgentConnection
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Agent {Name} answered the handshake (agent version {Version})")]
    private static partial void LogConnected(ILogger logger, string name, string version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent connection {Name} broke: {Reason}")]
    private static partial void LogBroken(ILogger logger, Exception? exception, string name, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Agent connection {Name} closed: {Reason}")]
    private static partial void LogClosed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {Name} did not confirm that exec {ExecId} stopped after cancel: {Reason}")]
    private static partial void LogCancelUnconfirmed(ILogger logger, string name, long execId, string reason);

    [LoggerMessage(Level = LogLevel.Trace, Message = "Agent {Name} sent {Kind} {Id} ({PayloadBytes} payload bytes)")]
    private static partial void LogFrame(ILogger logger, string name, string kind, long id, int payloadBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Name} never reported the end of exec {ExecId} ({ElapsedMs} ms, past its timeout); cancelling it")]
    private static partial void LogExitMissing(ILogger logger, string name, long execId, long elapsedMs);
}
