namespace Capsule.Vm.Network.Egress;

/// <summary>The host-wide running totals behind <see cref="EgressDenials"/>: every slot's denials add here too, and never reset.</summary>
internal sealed class EgressTotals
{
    private long _deniedLookups;
    private long _deniedConnections;

    public void CountDeniedLookup() => Interlocked.Increment(ref _deniedLookups);

    public void CountDeniedConnection() => Interlocked.Increment(ref _deniedConnections);

    public EgressDenials Read() => new(Interlocked.Read(ref _deniedConnections), Interlocked.Read(ref _deniedLookups));
}
