namespace Capsule.Vm;

/// <summary>A machine's network counters since it started (zero without a network slot).</summary>
/// <param name="RxBytes">Bytes delivered to the guest.</param>
/// <param name="TxBytes">Bytes the guest sent that were let through.</param>
/// <param name="DeniedConnections">Connections the egress policy refused (by the firewall or the proxy).</param>
/// <param name="DeniedLookups">Names the resolver refused.</param>
public sealed record NetworkCounters(long RxBytes, long TxBytes, long DeniedConnections, long DeniedLookups)
{
    public static NetworkCounters None { get; } = new(0, 0, 0, 0);
}
