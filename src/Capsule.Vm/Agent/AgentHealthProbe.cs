using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Agent;

/// <summary>
/// Detects a hung guest agent. Every <see cref="HealthProbeSettings.Interval"/>, if the agent has sent nothing for that
/// long, it is pinged; if its pong does not come within <see cref="HealthProbeSettings.Timeout"/> the connection is
/// failed with "the guest agent did not answer a health probe within N s", which ends the machine as crashed. The agent
/// answers pings while it runs code, so a busy guest passes; the timeout is generous for slow (TCG, loaded) hosts.
/// Only a machine that runs is probed: a paused one (the warm pool) would never answer.
/// </summary>
internal static partial class AgentHealthProbe
{
    /// <summary>Runs until the connection closes or <paramref name="cancellationToken"/> fires; never throws.</summary>
    /// <param name="time">Paces the probes (the connection times the pong on its own clock).</param>
    public static async Task RunAsync(AgentConnection agent, HealthProbeSettings settings, ILogger logger, string name, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            while (!agent.Closed.IsCompleted)
            {
                await Task.WhenAny(agent.Closed, Task.Delay(settings.Interval, time, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (agent.Closed.IsCompleted || agent.Silence < settings.Interval)
                    continue;
                if (await agent.ProbeAsync(settings.Timeout, cancellationToken).ConfigureAwait(false))
                    continue;
                var reason = $"the guest agent did not answer a health probe within {Seconds(settings.Timeout)} s";
                LogUnanswered(logger, name, settings.Timeout.TotalSeconds);
                agent.Fail(reason);
                return;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The machine is going away.
        }
        catch (MachineException)
        {
            // The connection closed while probing: its own reason stands.
        }
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "Agent {Name} did not answer a health probe within {TimeoutSeconds} s; giving up on it")]
    private static partial void LogUnanswered(ILogger logger, string name, double timeoutSeconds);
}
