using System.ComponentModel;
using System.Diagnostics;
using Capsule.Vm.Agent;
using Capsule.Vm.Qmp;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

internal sealed partial class QemuMachine
{
    /// <summary>
    /// Cold-boots the machine: overlay disk over the raw base, QEMU, QMP, agent handshake. Only the snapshot builder
    /// boots machines; sessions are restored. Throws <see cref="MachineException"/> (<see cref="MachineErrorCode.StartFailed"/>)
    /// with the last console lines on failure, or <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/>
    /// fired. Either way the caller disposes the machine, which removes whatever was created.
    /// </summary>
    public async Task BootAsync(MachineBoot boot, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _gone.Token);
        deadline.CancelAfter(boot.Timeout);
        var stage = "creating its disk overlay";
        try
        {
            Directory.CreateDirectory(_folder.Path);
            await DiskOverlay.CreateAsync(boot.QemuImgBinary, boot.DiskBacking, "raw", boot.CommandLine.DiskPath, deadline.Token).ConfigureAwait(false);

            stage = "starting QEMU";
            await SpawnAsync(boot.QemuBinary, boot.CommandLine).ConfigureAwait(false);

            stage = "connecting to QMP";
            await ConnectQmpAsync(deadline.Token).ConfigureAwait(false);

            stage = "waiting for the guest agent";
            await ConnectAgentAsync(deadline.Token).ConfigureAwait(false);
            LogBooted(_logger, MachineId, Pid, VcpuCount, stopwatch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsStartFailure(e))
        {
            throw await StartFailedAsync(stage, e, boot.Timeout).ConfigureAwait(false);
        }
    }

    private async Task SpawnAsync(string qemuBinary, QemuCommandLine commandLine)
    {
        _process = await QemuProcess.StartAsync(qemuBinary, commandLine.Build(), _folder.QemuLog, _logger).ConfigureAwait(false);
        _ = WatchProcessAsync(_process);
    }

    private async Task ConnectQmpAsync(CancellationToken cancellationToken)
    {
        _qmp = await QmpClient.ConnectAsync(_folder.QmpSocket, MachineId, _loggerFactory.CreateLogger<QmpClient>(), cancellationToken).ConfigureAwait(false);
        _ = WatchEventsAsync(_qmp);
    }

    private async Task ConnectAgentAsync(CancellationToken cancellationToken)
    {
        _agent = await AgentConnection.ConnectAsync(_folder.AgentSocket, MachineId, _loggerFactory.CreateLogger<AgentConnection>(), cancellationToken).ConfigureAwait(false);
        _ = WatchAgentAsync(_agent);
    }

    private static bool IsStartFailure(Exception e) =>
        e is OperationCanceledException or IOException or Win32Exception or QmpException or QmpConnectionClosedException
            or MachineException or InvalidOperationException;

    /// <summary>The error a failed start throws: the stage, why, and what QEMU and the guest console said last.</summary>
    private async Task<MachineException> StartFailedAsync(string stage, Exception e, TimeSpan timeout)
    {
        var exited = _process is { Exited.IsCompleted: true };
        if (exited)
            await _process!.WaitForLogAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var why = exited
            ? $"QEMU exited with code {await _process!.Exited.ConfigureAwait(false)}"
            : e is OperationCanceledException ? $"not ready within {timeout.TotalSeconds:0} s" : e.Message;
        var console = LogTail.Read(_folder.ConsoleLog, 15);
        var qemuLog = LogTail.Read(_folder.QemuLog, 5);
        return new MachineException(
            MachineErrorCode.StartFailed,
            $"Machine {MachineId} failed while {stage}: {why}."
            + (qemuLog.Length > 0 ? $"\nQEMU said:\n{qemuLog}" : "")
            + (console.Length > 0 ? $"\nLast console lines:\n{console}" : ""),
            e);
    }

    private async Task WatchProcessAsync(QemuProcess process)
    {
        var code = await process.Exited.ConfigureAwait(false);
        OnStoppedUnexpectedly($"QEMU exited with code {code}{_lastGuestEvent}");
    }

    private async Task WatchAgentAsync(AgentConnection agent)
    {
        var reason = await agent.Closed.ConfigureAwait(false);
        if (!Volatile.Read(ref _agentDetached))
            OnStoppedUnexpectedly($"the agent connection broke: {reason}");
    }

    /// <summary>Keeps the last guest-initiated shutdown or panic, so a crash can say what the guest did.</summary>
    private async Task WatchEventsAsync(QmpClient qmp)
    {
        await foreach (var qmpEvent in qmp.Events.ReadAllAsync().ConfigureAwait(false))
        {
            if (qmpEvent.Name is "GUEST_PANICKED" or "SHUTDOWN")
                _lastGuestEvent = $" after {qmpEvent.Name} {qmpEvent.Data}";
        }
    }
}
