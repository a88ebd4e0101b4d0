using Capsule.Vm.Network;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Machines;

/// <summary>
/// At application start: creates the machine host (which logs the accelerator choice), removes what a crashed
/// predecessor left in the run folder and its network slots (and decides whether machines get slots), reports which snapshots exist for the current image and shape, and starts the
/// warm pool (which builds a missing pooled snapshot in the background). At stop nothing: the container disposes the
/// host, which destroys its machines, pooled ones included.
/// </summary>
internal sealed partial class VmStartup(QemuMachineHost host, RunDirectoryJanitor janitor, NetworkHost network, ILogger<VmStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await janitor.CleanAsync(host.Owns, cancellationToken).ConfigureAwait(false);
        // After the run folder's QEMUs are gone (they held the old slots' taps), before the pool restores into new slots.
        await network.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var status = await host.Snapshots.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.Missing.Count == 0)
                LogSnapshotsReady(logger, status.KeyDirectory);
            else
                LogSnapshotsMissing(logger, string.Join(", ", status.Missing.Select(v => $"snap{v}")), status.KeyDirectory);
        }
        catch (MachineException e)
        {
            LogSnapshotsUnavailable(logger, e.Message);
        }
        host.StartPool();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Snapshots ready in {Path}")]
    private static partial void LogSnapshotsReady(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Snapshots {Missing} are missing or stale in {Path}; each is built on first use (a minute or more under TCG). `make snapshots` builds them ahead")]
    private static partial void LogSnapshotsMissing(ILogger logger, string missing, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Machines cannot be started: {Reason}")]
    private static partial void LogSnapshotsUnavailable(ILogger logger, string reason);
}
