using System.Globalization;
using Capsule.Vm.HostTools;
using Capsule.Vm.Network.Egress;
using Capsule.Vm.Qemu;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Network;

/// <summary>
/// Makes and removes this server's network slots (docs/network.md §2). Making one:
/// 1. <c>ip -batch</c> in the root namespace: the namespace, a veth pair with one end moved into it, the host end's
///    address, up.
/// 2. <c>ip -n &lt;ns&gt; -batch</c>: lo up; <c>tap0</c> with its pinned MAC and the gateway address, and a permanent
///    neighbour entry for the guest (no ARP on the restore path); the uplink's address; a default route to the host.
/// 3. In the namespace (<c>nsenter --net</c>): IPv6 off, forwarding on, and the slot's nftables table, fail closed.
/// Only then does QEMU start in it, so a guest never has a path before its rules. Removing: the host-side veth, then
/// the namespace (which takes the tap, the rules and the other veth end with it). At start the janitor removes what
/// a crashed predecessor with this instance number left, and (re)loads the root namespace's table.
/// Ready slots: up to <paramref name="readyTarget"/> slots are made ahead by a background loop, so a machine that starts
/// outside the warm pool does not wait for one either; <see cref="DisposeAsync"/> stops the loop and removes them.
/// </summary>
internal sealed partial class NetworkSlots(SlotLayout layout, EgressHost egress, int readyTarget, ILogger<NetworkSlots> logger)
    : IAsyncDisposable
{
    private readonly bool[] _used = new bool[SlotLayout.MaxSlots];
    private readonly System.Collections.Concurrent.ConcurrentQueue<NetworkSlot> _ready = new();
    private readonly SemaphoreSlim _refillSignal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Task _refill = Task.CompletedTask;

    /// <summary>Slots made ahead and waiting for a machine.</summary>
    public int ReadyCount => _ready.Count;

    public SlotLayout Layout => layout;

    public EgressHost Egress => egress;

    /// <summary>
    /// How many machines can hold a slot at once: every slot but the ones the background loop may be making ahead (it
    /// can take a free slot between a take and the next acquire).
    /// </summary>
    public int MachineCapacity => SlotLayout.MaxSlots - readyTarget;

    /// <summary>
    /// A slot for a machine: a ready one (its egress state reset to deny-all) or, when none is ready, one made now.
    /// Throws <see cref="HostCommandException"/> when a command fails (the slot is removed again), and
    /// <see cref="MachineException"/> with <see cref="MachineErrorCode.CapacityExhausted"/> when every slot is in use.
    /// </summary>
    public async Task<NetworkSlot> AcquireAsync(CancellationToken cancellationToken)
    {
        _refillSignal.Release();
        if (_ready.TryDequeue(out var ready))
        {
            egress.Slots[ready.Index].Reset();
            return ready;
        }
        return await MakeAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the background loop that keeps the ready slots at their target (after <see cref="CleanAsync"/>).</summary>
    public void StartRefill()
    {
        if (readyTarget > 0)
            _refill = Task.Run(() => RefillAsync(_stopping.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _refillSignal.Release();
        await _refill.ConfigureAwait(false);
        while (_ready.TryDequeue(out var slot))
            await ReleaseAsync(slot).ConfigureAwait(false);
        _stopping.Dispose();
        _refillSignal.Dispose();
    }

    /// <summary>
    /// 1. Tops the ready slots up to the target, one at a time; 2. waits for a take (or a minute, after a failure);
    /// 3. again until the server stops. A failure is logged; the path that makes slots on demand still works.
    /// </summary>
    private async Task RefillAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                while (_ready.Count < readyTarget && !cancellationToken.IsCancellationRequested)
                    _ready.Enqueue(await MakeAsync(cancellationToken).ConfigureAwait(false));
                await _refillSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HostCommandException or MachineException)
            {
                LogRefillFailed(logger, e.Message);
                try
                {
                    await _refillSignal.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<NetworkSlot> MakeAsync(CancellationToken cancellationToken)
    {
        var index = Reserve();
        var slot = new NetworkSlot(index, layout.Namespace(index), layout.SlotAddress(index));
        egress.Slots[index].Reset();
        try
        {
            await CreateAsync(slot, cancellationToken).ConfigureAwait(false);
            return slot;
        }
        catch
        {
            await RemoveAsync(slot.Index).ConfigureAwait(false);
            Free(index);
            throw;
        }
    }

    /// <summary>Removes a slot; never throws (a failure is logged, and the janitor of the next start retries).</summary>
    public async Task ReleaseAsync(NetworkSlot slot)
    {
        egress.Slots[slot.Index].Reset();
        await RemoveAsync(slot.Index).ConfigureAwait(false);
        Free(slot.Index);
    }

    /// <summary>Removes every namespace and veth of this instance, then loads the root namespace's table and turns on IPv4 forwarding. Returns how many slots it removed.</summary>
    public async Task<int> CleanAsync(CancellationToken cancellationToken)
    {
        var leftovers = (await ListNamespacesAsync(cancellationToken).ConfigureAwait(false))
            .Select(layout.SlotOf).OfType<int>().ToList();
        foreach (var index in leftovers)
            await RemoveAsync(index).ConfigureAwait(false);
        await HostCommand.RunAsync("nft", ["-f", "-"], SlotRules.ForRoot(layout, egress.Ports), cancellationToken).ConfigureAwait(false);
        // Forwarding in the root namespace carries what a policy allows by CIDR (the root table keeps slots apart).
        await File.WriteAllTextAsync("/proc/sys/net/ipv4/ip_forward", "1\n", cancellationToken).ConfigureAwait(false);
        return leftovers.Count;
    }

    /// <summary>Removes the root namespace's table (server shutdown, after every slot is gone).</summary>
    public async Task RemoveRootTableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await HostCommand.RunAsync("nft", ["delete", "table", "inet", layout.RootTable], null, cancellationToken).ConfigureAwait(false);
        }
        catch (HostCommandException e)
        {
            LogRemoveFailed(logger, layout.RootTable, e.Message);
        }
    }

    /// <summary>The names of every network namespace on the host.</summary>
    public static async Task<IReadOnlyList<string>> ListNamespacesAsync(CancellationToken cancellationToken)
    {
        var output = await HostCommand.RunAsync("ip", ["netns", "list"], null, cancellationToken).ConfigureAwait(false);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', 2)[0])
            .ToList();
    }

    private async Task CreateAsync(NetworkSlot slot, CancellationToken cancellationToken)
    {
        var hostVeth = layout.HostVeth(slot.Index);
        var root = string.Create(CultureInfo.InvariantCulture, $"""
            netns add {slot.Namespace}
            link add {hostVeth} type veth peer name {SlotLayout.UplinkName} netns {slot.Namespace}
            addr add {layout.HostAddress(slot.Index)}/30 dev {hostVeth}
            link set {hostVeth} up

            """);
        await HostCommand.RunAsync("ip", ["-batch", "-"], root, cancellationToken).ConfigureAwait(false);
        var inside = string.Create(CultureInfo.InvariantCulture, $"""
            link set lo up
            tuntap add dev {SlotLayout.TapName} mode tap
            link set {SlotLayout.TapName} address {SlotLayout.TapMac}
            addr add {SlotLayout.GatewayAddress}/30 dev {SlotLayout.TapName}
            link set {SlotLayout.TapName} up
            neigh replace {SlotLayout.GuestAddress} lladdr {QemuCommandLine.GuestMac} dev {SlotLayout.TapName} nud permanent
            addr add {layout.SlotAddress(slot.Index)}/30 dev {SlotLayout.UplinkName}
            link set {SlotLayout.UplinkName} up
            route add default via {layout.HostAddress(slot.Index)}

            """);
        await HostCommand.RunAsync("ip", ["-n", slot.Namespace, "-batch", "-"], inside, cancellationToken).ConfigureAwait(false);
        await HostCommand.RunAsync(
            "nsenter",
            [$"--net={slot.NamespacePath}", "sh", "-c",
             "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1 && nft -f -"],
            SlotRules.ForSlot(layout, slot.Index, egress.Ports, egress.Addresses),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task RemoveAsync(int index)
    {
        var name = layout.Namespace(index);
        // The host end first: the kernel frees a namespace (and the veth end in it) lazily.
        await TryAsync(["link", "del", layout.HostVeth(index)], name, missingIsFine: true).ConfigureAwait(false);
        await TryAsync(["netns", "del", name], name, missingIsFine: true).ConfigureAwait(false);
    }

    private async Task TryAsync(string[] arguments, string slotName, bool missingIsFine)
    {
        try
        {
            await HostCommand.RunAsync("ip", arguments, null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (HostCommandException e) when (missingIsFine && (e.Message.Contains("Cannot find device", StringComparison.Ordinal)
                                                               || e.Message.Contains("No such file", StringComparison.Ordinal)))
        {
        }
        catch (HostCommandException e)
        {
            LogRemoveFailed(logger, slotName, e.Message);
        }
    }

    private int Reserve()
    {
        lock (_used)
        {
            var index = Array.IndexOf(_used, false);
            if (index < 0)
                throw new MachineException(MachineErrorCode.CapacityExhausted,
                    $"The host has no room for another machine: all {SlotLayout.MaxSlots} of its network slots are in use.");
            _used[index] = true;
            return index;
        }
    }

    private void Free(int index)
    {
        lock (_used)
            _used[index] = false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make a ready network slot: {Reason}")]
    private static partial void LogRefillFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove network slot {Slot}: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string slot, string reason);
}
