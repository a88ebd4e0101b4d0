using System.Net;

namespace Capsule.Vm.Network.Egress;

/// <summary>Finds the slot a guest's packet came from by its source address (the slot namespace masquerades to its uplink address).</summary>
internal sealed class EgressSlots
{
    private readonly SlotLayout _layout;

    private readonly SlotEgress[] _slots;

    public EgressSlots(SlotLayout layout)
    {
        _layout = layout;
        _slots = [.. Enumerable.Range(0, SlotLayout.MaxSlots).Select(_ => new SlotEgress(Totals))];
    }

    /// <summary>Every slot's denials since the host started.</summary>
    public EgressTotals Totals { get; } = new();

    public SlotEgress this[int index] => _slots[index];

    /// <summary>The slot whose uplink address is <paramref name="source"/>, or null for any other address.</summary>
    public (int Index, SlotEgress Egress)? Find(IPAddress source)
    {
        if (source.IsIPv4MappedToIPv6)
            source = source.MapToIPv4();
        return _layout.SlotOfAddress(source) is { } index ? (index, _slots[index]) : null;
    }
}
