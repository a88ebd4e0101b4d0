using System.Diagnostics;
using Capsule.Agent.Hosting;
using Capsule.Agent.Logging;
using Capsule.Agent.Transport;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent;

internal static class Program
{
    private static int Main(string[] args)
    {
        var clock = Stopwatch.StartNew();
        if (AgentOptions.Parse(args, out var error) is not { } options)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(AgentOptions.Usage);
            return 2;
        }
        ProcessRole.Prepare();
        var logger = new StderrLogger(options.Verbose ? LogLevel.Debug : LogLevel.Information);
        IAgentTransport transport = options.ListenPath is { } path
            ? new UnixSocketTransport(path)
            : new VirtioPortTransport(logger);
        var runtime = AgentRuntime.Start(options, logger);
        logger.AgentStarted(clock.Elapsed.TotalMilliseconds, options.ListenPath ?? VirtioPortTransport.PortName);
        ProcessRole.ClaimChildSignals();
        new AgentHost(runtime, transport, logger).Run(CancellationToken.None);
        return 0;
    }
}
