using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// The VM layer's capacity report (<see cref="IMachineHost.Capacity"/>, what <c>/health</c> shows) in the control plane's
/// terms, for the metrics gauges: read afresh each time.
/// </summary>
internal sealed class HostReadings(IMachineHost machines)
{
    private const long BytesPerMb = 1024 * 1024;

    public HostReading Read()
    {
        var capacity = machines.Capacity;
        return new HostReading(
            capacity.MemoryCommittedMb * BytesPerMb,
            capacity.HostMemoryAvailableMb * BytesPerMb,
            [.. capacity.WarmPools.Select(p => new WarmPoolReading(p.VcpuCount, p.Ready, p.Target))]);
    }

    public EgressDenialReading ReadEgressDenials()
    {
        var denials = machines.EgressDenials;
        return new EgressDenialReading(denials.Connections, denials.Lookups);
    }
}

/// <summary>The host's memory and warm pools at one moment.</summary>
internal sealed record HostReading(long MemoryCommittedBytes, long MemoryAvailableBytes, IReadOnlyList<WarmPoolReading> WarmPools);

/// <summary>What egress policies denied on this host since it started: proxied connections and DNS lookups.</summary>
internal sealed record EgressDenialReading(long Connections, long Lookups);

/// <summary>One warm pool's fill level.</summary>
internal sealed record WarmPoolReading(int VcpuCount, int Ready, int Target);
