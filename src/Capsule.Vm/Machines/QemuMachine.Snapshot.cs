using System.Text.Json.Nodes;
using Capsule.Vm.Qemu;
using Capsule.Vm.Qmp;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachine
{
    /// <summary>Lets the agent notice the closed connection and go back to waiting before the guest is frozen.</summary>
    private static readonly TimeSpan AgentSettle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MigrationPollInterval = TimeSpan.FromMilliseconds(10);
    /// <summary>QEMU's default of 32 MiB/s would make a save take seconds; the stream is a local pipe.</summary>
    private const long MigrationBandwidth = 100L * 1024 * 1024 * 1024;

    /// <summary>
    /// Saves the booted machine's device state to <paramref name="statePath"/> (its RAM is in the shared RAM file):
    /// 1. close the agent connection, so every restore finds the agent waiting for a new host;
    /// 2. QMP <c>migrate-set-capabilities x-ignore-shared</c>, <c>migrate-set-parameters max-bandwidth</c>, <c>stop</c>,
    ///    <c>migrate unix:&lt;folder&gt;/migrate.sock</c> (the host listens there and writes the stream to the state file),
    ///    then <c>query-migrate</c> until completed and the stream is written.
    /// The machine stays stopped; dispose it next (QMP quit).
    /// </summary>
    public async Task SaveSnapshotAsync(string statePath, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _agentDetached, true);
        if (_agent is not null)
            await _agent.DisposeAsync().ConfigureAwait(false);
        await Task.Delay(AgentSettle, _time, cancellationToken).ConfigureAwait(false);

        var qmp = _qmp ?? throw new InvalidOperationException($"Machine {MachineId} has no QMP connection.");
        await qmp.ExecuteAsync("migrate-set-capabilities", Migration.IgnoreShared(), cancellationToken).ConfigureAwait(false);
        await qmp.ExecuteAsync("migrate-set-parameters", new JsonObject { ["max-bandwidth"] = MigrationBandwidth }, cancellationToken).ConfigureAwait(false);
        await qmp.ExecuteAsync("stop", null, cancellationToken).ConfigureAwait(false);
        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = Migration.ReceiveStateAsync(_folder.MigrationSocket, statePath, receiving.Token);
        try
        {
            await qmp.ExecuteAsync("migrate", Migration.Uri(_folder.MigrationSocket), cancellationToken).ConfigureAwait(false);
            await WaitForMigrationAsync(qmp, statePath, cancellationToken).ConfigureAwait(false);
            await receive.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await receiving.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(receive).ConfigureAwait(false);
        }
    }

    private async Task WaitForMigrationAsync(QmpClient qmp, string statePath, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await qmp.ExecuteAsync("query-migrate", null, cancellationToken).ConfigureAwait(false);
            var status = result.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status == "completed")
                return;
            if (status is "failed" or "cancelled")
            {
                var why = result.TryGetProperty("error-desc", out var d) ? d.GetString() : status;
                throw new MachineException(MachineErrorCode.StartFailed, $"Machine {MachineId} could not save its state: {why}.",
                    hostDetail: $"state file {statePath}");
            }
            await Task.Delay(MigrationPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
