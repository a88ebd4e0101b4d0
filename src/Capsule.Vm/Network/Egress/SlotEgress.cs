using System.Collections.Concurrent;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// One slot's egress state on the host: the rules in force, what the resolver and proxy denied, and the proxy's live
/// connections, so a change of rules closes those the new rules forbid (docs/network.md §4.6).
/// </summary>
internal sealed class SlotEgress(EgressTotals totals)
{
    private readonly ConcurrentDictionary<ProxiedConnection, byte> _connections = new();
    private EgressRules _rules = EgressRules.DenyAll;
    private long _deniedLookups;
    private long _deniedConnections;

    public EgressRules Rules => Volatile.Read(ref _rules);

    public long DeniedLookups => Interlocked.Read(ref _deniedLookups);

    public long DeniedConnections => Interlocked.Read(ref _deniedConnections);

    /// <summary>Puts <paramref name="rules"/> in force for new lookups and connections, and closes live ones they forbid.</summary>
    public void Apply(EgressRules rules)
    {
        Volatile.Write(ref _rules, rules);
        foreach (var connection in _connections.Keys)
        {
            if (!DomainPatterns.MayConnect(rules, connection.Kind, connection.Name))
                connection.Close();
        }
    }

    /// <summary>A new machine in this slot: deny-all, counters from zero, nothing live.</summary>
    public void Reset()
    {
        Apply(EgressRules.DenyAll);
        Interlocked.Exchange(ref _deniedLookups, 0);
        Interlocked.Exchange(ref _deniedConnections, 0);
    }

    public void CountDeniedLookup()
    {
        Interlocked.Increment(ref _deniedLookups);
        totals.CountDeniedLookup();
    }

    public void CountDeniedConnection()
    {
        Interlocked.Increment(ref _deniedConnections);
        totals.CountDeniedConnection();
    }

    public void Track(ProxiedConnection connection) => _connections[connection] = 0;

    public void Untrack(ProxiedConnection connection) => _connections.TryRemove(connection, out _);
}
