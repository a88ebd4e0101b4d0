namespace Capsule.Server.Executions;

/// <summary>On host stop, cancels running executions and waits until each is recorded as failed.</summary>
internal sealed class ExecutionShutdownService(ExecutionRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => runner.StopAsync(cancellationToken);
}
