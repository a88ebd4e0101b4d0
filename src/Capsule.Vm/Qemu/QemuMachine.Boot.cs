using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Capsule.Vm.Agent;
using Capsule.Vm.Qmp;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qemu;

internal sealed partial class QemuMachine
{
    private const long MiB = 1024 * 1024;
    private const long VirtioMemBlockBytes = 2 * MiB;
    private static readonly TimeSpan MemoryPollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Brings the machine up: overlay disk, QEMU, QMP, agent handshake, memory plug, env. Throws
    /// <see cref="MachineException"/> (<see cref="MachineErrorCode.StartFailed"/>) with the last console lines on failure,
    /// or <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/> fired. Either way the caller
    /// disposes the machine, which removes whatever was created.
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
            await DiskOverlay.CreateAsync(boot.QemuImgBinary, boot.CommandLine.Image.RootDisk, _folder.Disk, deadline.Token).ConfigureAwait(false);

            stage = "starting QEMU";
            _process = await QemuProcess.StartAsync(boot.QemuBinary, boot.CommandLine.Build(), _folder.QemuLog, _logger).ConfigureAwait(false);
            _ = WatchProcessAsync(_process);

            stage = "connecting to QMP";
            _qmp = await QmpClient.ConnectAsync(_folder.QmpSocket, MachineId, _loggerFactory.CreateLogger<QmpClient>(), deadline.Token).ConfigureAwait(false);
            _ = WatchEventsAsync(_qmp);

            stage = "waiting for the guest agent";
            _agent = await AgentConnection.ConnectAsync(_folder.AgentSocket, MachineId, _loggerFactory.CreateLogger<AgentConnection>(), deadline.Token).ConfigureAwait(false);
            _ = WatchAgentAsync(_agent);
            var agentReadyMs = stopwatch.ElapsedMilliseconds;

            stage = "plugging memory";
            await PlugMemoryAsync(boot.MemoryMb - _baseMemoryMb, deadline.Token).ConfigureAwait(false);

            stage = "setting env vars";
            if (boot.Env.Count > 0)
                await _agent.SetEnvAsync(boot.Env, deadline.Token).ConfigureAwait(false);

            LogStarted(_logger, MachineId, _process.Pid, boot.CommandLine.VcpuCount, MemoryMb, agentReadyMs, stopwatch.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Win32Exception or QmpException
                                      or QmpConnectionClosedException or MachineException or InvalidOperationException)
        {
            var exited = _process is { Exited.IsCompleted: true };
            if (exited)
                await _process!.WaitForLogAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            var why = exited
                ? $"QEMU exited with code {await _process!.Exited.ConfigureAwait(false)}"
                : e is OperationCanceledException ? $"not ready within {boot.Timeout.TotalSeconds:0} s" : e.Message;
            var console = LogTail.Read(_folder.ConsoleLog, 15);
            var qemuLog = LogTail.Read(_folder.QemuLog, 5);
            throw new MachineException(
                MachineErrorCode.StartFailed,
                $"Machine {MachineId} failed while {stage}: {why}."
                + (qemuLog.Length > 0 ? $"\nQEMU said:\n{qemuLog}" : "")
                + (console.Length > 0 ? $"\nLast console lines:\n{console}" : ""),
                e);
        }
    }

    /// <summary>Grows virtio-mem by <paramref name="extraMb"/> (rounded up to its 2 MiB block) and waits until the guest plugged it.</summary>
    private async Task PlugMemoryAsync(int extraMb, CancellationToken cancellationToken)
    {
        var requested = (extraMb * MiB + VirtioMemBlockBytes - 1) / VirtioMemBlockBytes * VirtioMemBlockBytes;
        if (requested <= 0)
            return;
        var path = $"/machine/peripheral/{QemuCommandLine.VirtioMemId}";
        await _qmp!.ExecuteAsync("qom-set", new JsonObject { ["path"] = path, ["property"] = "requested-size", ["value"] = requested }, cancellationToken)
            .ConfigureAwait(false);
        while (true)
        {
            var size = (await _qmp.ExecuteAsync("qom-get", new JsonObject { ["path"] = path, ["property"] = "size" }, cancellationToken)
                .ConfigureAwait(false)).GetInt64();
            Volatile.Write(ref _pluggedMb, (int)(size / MiB));
            if (size >= requested)
                return;
            await Task.Delay(MemoryPollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WatchProcessAsync(QemuProcess process)
    {
        var code = await process.Exited.ConfigureAwait(false);
        OnStoppedUnexpectedly($"QEMU exited with code {code}{_lastGuestEvent}");
    }

    private async Task WatchAgentAsync(AgentConnection agent)
    {
        var reason = await agent.Closed.ConfigureAwait(false);
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
