using System.Text.Json.Nodes;
using Capsule.Vm.Qemu;
using Capsule.Vm.Qmp;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachine
{
    private const long MiB = 1024 * 1024;
    private const long VirtioMemBlockBytes = 2 * MiB;
    private static readonly TimeSpan MemoryPollInterval = TimeSpan.FromMilliseconds(20);
    /// <summary>Bounds how long <see cref="MemoryMb"/> is followed: a guest that cannot plug more stops growing.</summary>
    private static readonly TimeSpan PlugTrackingLimit = TimeSpan.FromMinutes(2);

    private static string VirtioMemPath => $"/machine/peripheral/{QemuCommandLine.VirtioMemId}";

    /// <summary>Completes when virtio-mem has plugged all the memory asked for (or tracking gave up); completed if none was asked for.</summary>
    public Task MemoryPlugged { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Sets virtio-mem's requested size to <paramref name="memoryMb"/> minus the base (rounded up to its 2 MiB block)
    /// and follows the plugged size in the background (<see cref="MemoryMb"/>, <see cref="MemoryPlugged"/>).
    /// </summary>
    private async Task StartPlugAsync(int memoryMb, CancellationToken cancellationToken)
    {
        var requested = ((memoryMb - _baseMemoryMb) * MiB + VirtioMemBlockBytes - 1) / VirtioMemBlockBytes * VirtioMemBlockBytes;
        if (requested <= 0)
            return;
        var arguments = new JsonObject { ["path"] = VirtioMemPath, ["property"] = "requested-size", ["value"] = requested };
        await _qmp!.ExecuteAsync("qom-set", arguments, cancellationToken).ConfigureAwait(false);
        MemoryPlugged = _background.StartWithCompletion("virtio-mem plug tracking", stopping => TrackPlugAsync(requested, stopping));
    }

    private async Task TrackPlugAsync(long requestedBytes, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(PlugTrackingLimit);
        var arguments = new JsonObject { ["path"] = VirtioMemPath, ["property"] = "size" };
        var started = _time.GetTimestamp();
        try
        {
            while (true)
            {
                var size = (await _qmp!.ExecuteAsync("qom-get", arguments, limit.Token).ConfigureAwait(false)).GetInt64();
                Volatile.Write(ref _pluggedMb, (int)(size / MiB));
                if (size >= requestedBytes)
                {
                    var elapsedMs = ElapsedMs(started);
                    LogPlugged(_logger, MachineId, (int)(size / MiB), elapsedMs);
                    return;
                }
                await Task.Delay(MemoryPollInterval, _time, limit.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or QmpException or QmpConnectionClosedException)
        {
            if (!cancellationToken.IsCancellationRequested)
                LogPlugIncomplete(_logger, MachineId, MemoryMb, (int)(_baseMemoryMb + requestedBytes / MiB));
        }
    }
}
