namespace Capsule.Server.Sessions;

/// <summary>On host stop (SIGTERM, Ctrl+C) destroys every machine before the process exits.</summary>
internal sealed class SessionShutdownService(SessionRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => registry.StopAllAsync();
}
