using Capsule.Vm.Qemu;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachine
{
    private static readonly TimeSpan StatusPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Restores the machine from a snapshot and leaves it paused, its agent not yet connected (what the warm pool keeps):
    /// 1. a qcow2 overlay over the snapshot's disk (the session's own writes; the snapshot disk is never written);
    /// 2. its network slot, when the host gives machines one (docs/network.md: fail closed before QEMU starts);
    /// 3. QEMU with the snapshot's arguments, its RAM file mapped copy-on-write (<c>share=off</c>), <c>-incoming defer</c>;
    /// 4. QMP <c>migrate-set-capabilities x-ignore-shared</c>, <c>migrate-incoming unix:&lt;folder&gt;/migrate.sock</c>, the
    ///    host feeds the state file into that socket, then <c>query-status</c> until the device state is loaded. The snapshot was saved stopped, so the VM stays paused.
    /// Failures throw like <see cref="BootAsync"/>; the caller disposes the machine either way.
    /// </summary>
    public async Task RestoreAsync(MachineRestore restore, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _gone.Token);
        deadline.CancelAfter(restore.Timeout);
        var stage = "creating its disk overlay";
        try
        {
            _folder.Create();
            await DiskOverlay.CreateAsync(restore.QemuImgBinary, restore.Snapshot.Files.Disk, "qcow2", restore.CommandLine.DiskPath, deadline.Token)
                .ConfigureAwait(false);

            var commandLine = restore.CommandLine;
            if (restore.Slots is { } slots)
            {
                stage = "making its network slot";
                _slotOwner = slots;
                _slot = await slots.AcquireAsync(deadline.Token).ConfigureAwait(false);
                commandLine = commandLine with { NetworkNamespace = _slot.Namespace };
            }

            stage = "starting QEMU";
            await SpawnAsync(restore.QemuBinary, commandLine).ConfigureAwait(false);

            stage = "connecting to QMP";
            await ConnectQmpAsync(deadline.Token).ConfigureAwait(false);

            // The guest is paused until the state is loaded: nothing it writes to the console is missed.
            stage = "connecting to the console";
            await ConnectConsoleAsync(deadline.Token).ConfigureAwait(false);

            stage = "loading the snapshot";
            await _qmp!.ExecuteAsync("migrate-set-capabilities", Migration.IgnoreShared(), deadline.Token).ConfigureAwait(false);
            await _qmp.ExecuteAsync("migrate-incoming", Migration.Uri(_folder.MigrationSocket), deadline.Token).ConfigureAwait(false);
            await Migration.SendStateAsync(_folder.MigrationSocket, restore.Snapshot.Files.State, deadline.Token).ConfigureAwait(false);
            var status = await WaitWhileStatusAsync("inmigrate", deadline.Token).ConfigureAwait(false);
            if (status == "running")
                await _qmp.ExecuteAsync("stop", null, deadline.Token).ConfigureAwait(false);
            else if (status != "paused")
                throw new MachineException(MachineErrorCode.StartFailed, $"the VM is \"{status}\" after loading the snapshot, not paused");
            var elapsedMs = ElapsedMs(started);
            LogRestored(_logger, MachineId, Pid, restore.Snapshot.Meta.VcpuCount, elapsedMs);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MachineException e) when (e.Code == MachineErrorCode.CapacityExhausted)
        {
            throw; // every network slot is taken: a refusal for lack of room (503), not a failed start
        }
        catch (Exception e) when (IsStartFailure(e))
        {
            throw await StartFailedAsync(stage, e, restore.Timeout).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <c>query-status</c> until the run state is not <paramref name="state"/>; returns the new state.</summary>
    private async Task<string> WaitWhileStatusAsync(string state, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _qmp!.ExecuteAsync("query-status", null, cancellationToken).ConfigureAwait(false);
            var status = result.GetProperty("status").GetString() ?? "";
            if (status != state)
                return status;
            await Task.Delay(StatusPollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
