using Capsule.Vm.HostTools;
using Capsule.Vm.Network;
using Capsule.Vm.Network.Egress;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Vm.Tests.Network;

/// <summary>
/// Real namespaces, taps and nftables tables on this machine (skipped with the reason where it cannot make them). Each
/// test uses its own instance number, so nothing here touches a running server's slots.
/// </summary>
public sealed class NetworkSlotsTests : IAsyncDisposable
{
    private readonly List<EgressHost> _egressHosts = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _egressHosts)
            await host.DisposeAsync();
    }

    [Fact]
    public async Task Acquire_MakesAFailClosedSlot_AndReleaseRemovesIt()
    {
        var slots = await SlotsOrSkipAsync(instance: 0xf1);
        var slot = await slots.AcquireAsync(Ct);
        try
        {
            Assert.Contains(slot.Namespace, await NetworkSlots.ListNamespacesAsync(Ct));
            var links = await HostCommand.RunAsync("ip", ["-n", slot.Namespace, "-o", "link", "show"], null, Ct);
            Assert.Contains("tap0", links, StringComparison.Ordinal);
            Assert.Contains("02:ca:75:00:00:01", links, StringComparison.Ordinal);
            var rules = await InSlotAsync(slot, "nft list table inet capsule");
            Assert.Contains("hook forward priority filter; policy drop;", rules, StringComparison.Ordinal);
            Assert.Contains("hook input priority filter; policy drop;", rules, StringComparison.Ordinal);
            Assert.Equal("1", (await InSlotAsync(slot, "cat /proc/sys/net/ipv6/conf/all/disable_ipv6")).Trim());
        }
        finally
        {
            await slots.ReleaseAsync(slot);
        }

        Assert.DoesNotContain(slot.Namespace, await NetworkSlots.ListNamespacesAsync(Ct));
        var hostLinks = await HostCommand.RunAsync("ip", ["-o", "link", "show"], null, Ct);
        Assert.DoesNotContain(slots.Layout.HostVeth(slot.Index), hostLinks, StringComparison.Ordinal);
        await slots.RemoveRootTableAsync(Ct);
    }

    [Fact]
    public async Task ReadySlots_AreMadeAhead_HandedOut_RefilledAndRemovedAtDispose()
    {
        var slots = await SlotsOrSkipAsync(instance: 0xf5, readyTarget: 1);
        slots.StartRefill();
        await WaitForAsync(() => slots.ReadyCount == 1);
        var ready = (await NetworkSlots.ListNamespacesAsync(Ct)).Where(n => slots.Layout.SlotOf(n) is not null).ToList();

        var slot = await slots.AcquireAsync(Ct);
        await WaitForAsync(() => slots.ReadyCount == 1);
        var afterRefill = (await NetworkSlots.ListNamespacesAsync(Ct)).Where(n => slots.Layout.SlotOf(n) is not null).ToList();
        await slots.ReleaseAsync(slot);
        await slots.DisposeAsync();
        var afterDispose = (await NetworkSlots.ListNamespacesAsync(Ct)).Where(n => slots.Layout.SlotOf(n) is not null).ToList();
        await slots.RemoveRootTableAsync(Ct);

        Assert.Equal([slot.Namespace], ready); // the slot handed out was the one made ahead
        Assert.Equal(2, afterRefill.Count); // it, and a new ready one
        Assert.Empty(afterDispose);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 600 && !condition(); i++)
            await Task.Delay(100, Ct);
        Assert.True(condition(), "not reached within a minute");
    }

    [Fact]
    public async Task Acquire_TwoSlots_GetDistinctNamesAndAddresses()
    {
        var slots = await SlotsOrSkipAsync(instance: 0xf2);
        var first = await slots.AcquireAsync(Ct);
        var second = await slots.AcquireAsync(Ct);
        try
        {
            Assert.NotEqual(first.Namespace, second.Namespace);
            Assert.NotEqual(first.GuestEndpoint, second.GuestEndpoint);
            // A host service listening on the second slot's host end: reachable from the host, never from a slot.
            var hostEnd = slots.Layout.HostAddress(second.Index);
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Parse(hostEnd), 18781);
            listener.Start();
            var fromHost = await HostCommand.RunAsync("bash", ["-c", $"timeout 5 bash -c 'echo > /dev/tcp/{hostEnd}/18781' && echo open || echo closed"], null, Ct);
            var fromSlot = await InSlotAsync(first, $"timeout 3 bash -c 'echo > /dev/tcp/{hostEnd}/18781' && echo open || echo closed");
            var fromOwnSlot = await InSlotAsync(second, $"timeout 3 bash -c 'echo > /dev/tcp/{hostEnd}/18781' && echo open || echo closed");
            Assert.Equal("open", fromHost.Trim());
            Assert.Equal("closed", fromSlot.Trim());
            Assert.Equal("closed", fromOwnSlot.Trim());
        }
        finally
        {
            await slots.ReleaseAsync(first);
            await slots.ReleaseAsync(second);
            await slots.RemoveRootTableAsync(Ct);
        }
    }

    [Fact]
    public async Task Acquire_WhenEverySlotIsTaken_IsARefusalForLackOfRoom_AndAFreedSlotServesAgain()
    {
        var slots = await SlotsOrSkipAsync(instance: 0xf6);
        var taken = new List<NetworkSlot>();
        try
        {
            for (var i = 0; i < SlotLayout.MaxSlots; i++)
                taken.Add(await slots.AcquireAsync(Ct));

            var refused = await Assert.ThrowsAsync<MachineException>(() => slots.AcquireAsync(Ct));
            Assert.Equal(MachineErrorCode.CapacityExhausted, refused.Code);
            Assert.DoesNotContain("10.231", refused.Message, StringComparison.Ordinal);
            Assert.Equal(SlotLayout.MaxSlots, slots.MachineCapacity);
            await slots.ReleaseAsync(taken[^1]);
            taken.RemoveAt(taken.Count - 1);
            taken.Add(await slots.AcquireAsync(Ct));
        }
        finally
        {
            foreach (var slot in taken)
                await slots.ReleaseAsync(slot);
            await slots.RemoveRootTableAsync(Ct);
        }
    }

    [Fact]
    public async Task Clean_RemovesThisInstancesLeftoversOnly()
    {
        var crashed = await SlotsOrSkipAsync(instance: 0xf3);
        var other = await SlotsOrSkipAsync(instance: 0xf4);
        var leftover = await crashed.AcquireAsync(Ct);
        var foreign = await other.AcquireAsync(Ct);
        try
        {
            // A restarted server with the same instance number: a fresh NetworkSlots that never made the leftover.
            var restarted = NewSlots(crashed.Layout);

            var removed = await restarted.CleanAsync(Ct);

            var names = await NetworkSlots.ListNamespacesAsync(Ct);
            Assert.Equal(1, removed);
            Assert.DoesNotContain(leftover.Namespace, names);
            Assert.Contains(foreign.Namespace, names);
        }
        finally
        {
            await other.ReleaseAsync(foreign);
            await crashed.RemoveRootTableAsync(Ct);
            await other.RemoveRootTableAsync(Ct);
        }
    }

    [Fact]
    public void Layout_NamesCarryTheInstanceAndFitInterfaceNames()
    {
        var layout = new SlotLayout(0xab, "10.231");

        Assert.Equal("capsule-ab-63", layout.Namespace(63));
        Assert.Equal("cvhabs63", layout.HostVeth(63));
        Assert.True(layout.HostVeth(SlotLayout.MaxSlots - 1).Length <= 15);
        Assert.Equal("10.231.171.253", layout.HostAddress(63));
        Assert.Equal("10.231.171.254", layout.SlotAddress(63));
        Assert.Equal(63, layout.SlotOf("capsule-ab-63"));
        Assert.Null(layout.SlotOf("capsule-ac-1"));
        Assert.Null(layout.SlotOf("capsule-ab-x"));
    }

    private static async Task<string> InSlotAsync(NetworkSlot slot, string script) =>
        await HostCommand.RunAsync("nsenter", [$"--net={slot.NamespacePath}", "sh", "-c", script], null, Ct);

    /// <summary>Slots with their own resolver and proxy (an upstream that is never asked: no test here resolves a name).</summary>
    private NetworkSlots NewSlots(SlotLayout layout, int readyTarget = 0)
    {
        var options = new NetworkOptions { UpstreamDns = ["192.0.2.1"] };
        var egress = EgressHost.Start(options, layout, TimeProvider.System, NullLoggerFactory.Instance);
        _egressHosts.Add(egress);
        return new NetworkSlots(layout, egress, readyTarget, NullLogger<NetworkSlots>.Instance);
    }

    private async Task<NetworkSlots> SlotsOrSkipAsync(int instance, int readyTarget = 0)
    {
        var slots = NewSlots(new SlotLayout(instance, "10.231"), readyTarget);
        try
        {
            await slots.CleanAsync(Ct);
        }
        catch (HostCommandException e)
        {
            Assert.Skip($"this host cannot make network slots: {e.Message}");
        }
        return slots;
    }
}
