using System.ComponentModel;
using Capsule.Vm.Agent;
using Capsule.Vm.HostTools;
using Capsule.Vm.Qemu;
using Capsule.Vm.Qmp;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachine
{
    /// <summary>How long a closed agent connection waits for QEMU's exit, which explains a dead guest better.</summary>
    private static readonly TimeSpan ProcessExitGrace = TimeSpan.FromSeconds(3);

    /// <summary>How long an exited QEMU's console may take to deliver its last bytes (the panic message).</summary>
    private static readonly TimeSpan ConsoleDrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Cold-boots the machine: overlay disk over the raw base, QEMU, QMP, agent handshake. Only the snapshot builder
    /// boots machines; sessions are restored. Throws <see cref="MachineException"/> (<see cref="MachineErrorCode.StartFailed"/>)
    /// with the last console lines on failure, or <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/>
    /// fired. Either way the caller disposes the machine, which removes whatever was created.
    /// </summary>
    public async Task BootAsync(MachineBoot boot, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _gone.Token);
        deadline.CancelAfter(boot.Timeout);
        var stage = "creating its disk overlay";
        try
        {
            _folder.Create();
            await DiskOverlay.CreateAsync(boot.QemuImgBinary, boot.DiskBacking, "raw", boot.CommandLine.DiskPath, deadline.Token).ConfigureAwait(false);

            stage = "starting QEMU";
            await SpawnAsync(boot.QemuBinary, boot.CommandLine).ConfigureAwait(false);

            stage = "connecting to the console";
            await ConnectConsoleAsync(deadline.Token).ConfigureAwait(false);

            stage = "connecting to QMP";
            await ConnectQmpAsync(deadline.Token).ConfigureAwait(false);

            stage = "waiting for the guest agent";
            await ConnectAgentAsync(deadline.Token).ConfigureAwait(false);
            var elapsedMs = ElapsedMs(started);
            LogBooted(_logger, MachineId, Pid, VcpuCount, elapsedMs);
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
        // In a slot, nsenter joins its network namespace and execs QEMU (same pid), so ifname=tap0 is the slot's tap.
        var process = commandLine.NetworkNamespace is { } netns
            ? await QemuProcess.StartAsync("nsenter", [$"--net=/run/netns/{netns}", "--", qemuBinary, .. commandLine.Build()], _folder.QemuLog, _logger, _time).ConfigureAwait(false)
            : await QemuProcess.StartAsync(qemuBinary, commandLine.Build(), _folder.QemuLog, _logger, _time).ConfigureAwait(false);
        _process = process;
        _background.Start("QEMU exit watch", _ => WatchProcessAsync(process));
    }

    private async Task ConnectConsoleAsync(CancellationToken cancellationToken) =>
        _console = await GuestConsole.ConnectAsync(_folder.ConsoleSocket, _time, cancellationToken).ConfigureAwait(false);

    private async Task ConnectQmpAsync(CancellationToken cancellationToken)
    {
        var qmp = await QmpClient.ConnectAsync(_folder.QmpSocket, MachineId, _loggerFactory.CreateLogger<QmpClient>(), _time, cancellationToken).ConfigureAwait(false);
        _qmp = qmp;
        _background.Start("QMP event watch", stopping => WatchEventsAsync(qmp, stopping));
    }

    private async Task ConnectAgentAsync(CancellationToken cancellationToken)
    {
        var agent = await AgentConnection.ConnectAsync(_folder.AgentSocket, MachineId, _loggerFactory.CreateLogger<AgentConnection>(), _time, cancellationToken).ConfigureAwait(false);
        _agent = agent;
        _background.Start("agent connection watch", _ => WatchAgentAsync(agent));
    }

    private static bool IsStartFailure(Exception e) =>
        e is OperationCanceledException or IOException or Win32Exception or QmpException or QmpConnectionClosedException
            or MachineException or HostCommandException;

    /// <summary>
    /// The error a failed start throws: the stage and why in its message; what QEMU and the guest console said last in
    /// its <see cref="MachineException.HostDetail"/> (they name host paths and guest output: for the log only).
    /// </summary>
    private async Task<MachineException> StartFailedAsync(string stage, Exception e, TimeSpan timeout)
    {
        var exited = _process is { Exited.IsCompleted: true };
        if (exited)
            await _process!.WaitForLogAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var why = exited
            ? $"QEMU exited with code {await _process!.Exited.ConfigureAwait(false)}"
            : e is OperationCanceledException ? $"not ready within {timeout.TotalSeconds:0} s" : "it failed";
        if (exited && _console is not null)
            await _console.WaitForEndAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        var console = ConsoleTail(15);
        var qemuLog = LogTail.Read(_folder.QemuLog, 5);
        return new MachineException(
            MachineErrorCode.StartFailed,
            $"Machine {MachineId} failed while {stage}: {why}.",
            e,
            hostDetail: $"{e.GetType().Name}: {e.Message}"
                + (qemuLog.Length > 0 ? $"\nQEMU said:\n{qemuLog}" : "")
                + (console.Length > 0 ? $"\nLast console lines:\n{console}" : ""));
    }

    /// <summary>
    /// QEMU exited on its own: a kernel panic if the console shows one (<see cref="ConsolePanic"/>; the console is read
    /// to its end first, bounded), else the exit code and the last guest event.
    /// </summary>
    private async Task WatchProcessAsync(QemuProcess process)
    {
        var code = await process.Exited.ConfigureAwait(false);
        if (_dispose is not null)
            return;
        if (_console is not null)
            await _console.WaitForEndAsync(ConsoleDrainGrace).ConfigureAwait(false);
        var panic = _console is null ? null : ConsolePanic.Classify(_console.Tail(40));
        OnStoppedUnexpectedly(panic ?? new MachineExit(MachineExitReason.Crashed, _lastGuestEvent.Contains("guest-reset", StringComparison.Ordinal)
            ? ConsolePanic.UnseenPanicDetail
            : $"QEMU exited with code {code}{_lastGuestEvent}"));
    }

    /// <summary>
    /// The agent connection ended without the host closing it. When the guest died (a panic ends QEMU, which closes the
    /// socket first), QEMU's exit explains more than the closed socket, so it gets a moment to be seen first.
    /// </summary>
    private async Task WatchAgentAsync(AgentConnection agent)
    {
        var reason = await agent.Closed.ConfigureAwait(false);
        if (Volatile.Read(ref _agentDetached) || _dispose is not null)
            return;
        if (_process is { } process)
        {
            await Task.WhenAny(process.Exited, Task.Delay(ProcessExitGrace, _time)).ConfigureAwait(false);
            if (process.Exited.IsCompleted)
                return; // WatchProcessAsync reports it
        }
        OnStoppedUnexpectedly(reason);
    }

    /// <summary>Keeps the last guest-initiated shutdown or panic, so a crash can say what the guest did.</summary>
    private async Task WatchEventsAsync(QmpClient qmp, CancellationToken cancellationToken)
    {
        await foreach (var qmpEvent in qmp.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (qmpEvent.Name is "GUEST_PANICKED" or "SHUTDOWN")
                _lastGuestEvent = $" after {qmpEvent.Name} {qmpEvent.Data}";
        }
    }
}
