namespace Capsule.Server.Sessions;

/// <summary>Every minute, drops the actors of sessions without a VM from memory (<see cref="SessionRegistry.RetireIdleAsync"/>).</summary>
internal sealed class SessionRetirementService(SessionRegistry registry, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
            await registry.RetireIdleAsync(stoppingToken);
    }
}
