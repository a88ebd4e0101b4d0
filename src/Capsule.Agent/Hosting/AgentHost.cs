using Capsule.Agent.Connection;
using Capsule.Agent.Logging;
using Capsule.Agent.Transport;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Hosting;

/// <summary>Serves host connections one after another, forever (the agent is PID 1: it never exits).</summary>
internal sealed class AgentHost(AgentRuntime runtime, IAgentTransport transport, ILogger logger)
{
    /// <summary>Runs on the calling (main) thread, which also reads every connection's frames.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        while (true)
        {
            Stream stream;
            try
            {
                stream = transport.AcceptAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                logger.AcceptFailed(e);
                Thread.Sleep(TimeSpan.FromMilliseconds(100));
                continue;
            }
            logger.HostConnected();
            try
            {
                using (stream)
                {
                    using var channel = new HostChannel(stream, logger);
                    using var dispatcher = new RequestDispatcher(runtime, channel, logger);
                    dispatcher.Run(stream, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // PID 1 must outlive a bug in one connection's handling.
                logger.ConnectionFailed(e);
            }
        }
    }
}
