using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// Which IPv4 addresses a guest may ever reach, whatever its policy says (docs/network.md §4, "Always denied"):
/// never loopback, 0.0.0.0/8, link-local (metadata services), multicast, reserved and broadcast, the slots' own range,
/// nor any address of this host; the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10) only where the operator
/// opened them (<c>Capsule:Network:AllowedPrivateCidrs</c>). IPv6 is never reachable.
/// </summary>
internal sealed class AddressRules
{
    /// <summary>Ranges no configuration opens.</summary>
    public static readonly IReadOnlyList<IPNetwork> Never =
    [
        IPNetwork.Parse("0.0.0.0/8"),
        IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"),
        IPNetwork.Parse("192.0.0.0/24"),
        IPNetwork.Parse("198.18.0.0/15"),
        IPNetwork.Parse("224.0.0.0/4"),
        IPNetwork.Parse("240.0.0.0/4"),
    ];

    /// <summary>Ranges an operator can open by name.</summary>
    public static readonly IReadOnlyList<IPNetwork> Private =
    [
        IPNetwork.Parse("10.0.0.0/8"),
        IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"),
    ];

    private static readonly TimeSpan HostAddressRefresh = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private HashSet<IPAddress> _hostAddresses = [];
    private long _hostAddressesRead;
    private bool _hostAddressesKnown;

    public AddressRules(IReadOnlyList<IPNetwork> opened, IPNetwork slotRange, TimeProvider time)
    {
        Opened = opened;
        NeverWithSlots = [.. Never, slotRange];
        _time = time;
    }

    /// <summary>The private ranges the operator opened.</summary>
    public IReadOnlyList<IPNetwork> Opened { get; }

    /// <summary><see cref="Never"/> and this server's slot range.</summary>
    public IReadOnlyList<IPNetwork> NeverWithSlots { get; }

    /// <summary>Whether a connection to <paramref name="address"/> may leave the host at all.</summary>
    public bool Permits(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetwork)
            return false;
        if (NeverWithSlots.Any(n => n.Contains(address)) || IsHostAddress(address))
            return false;
        return Opened.Any(n => n.Contains(address)) || !Private.Any(n => n.Contains(address));
    }

    /// <summary>Parses the operator's list; a range outside the private ones, or a malformed one, is an error.</summary>
    public static IReadOnlyList<IPNetwork> ParseOpened(IEnumerable<string> cidrs)
    {
        var result = new List<IPNetwork>();
        foreach (var text in cidrs)
        {
            if (!IPNetwork.TryParse(text.Trim(), out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
                throw new MachineException(MachineErrorCode.StartFailed, $"Capsule:Network:AllowedPrivateCidrs: '{text}' is not an IPv4 CIDR");
            if (!Private.Any(p => p.Contains(network.BaseAddress) && network.PrefixLength >= p.PrefixLength))
                throw new MachineException(MachineErrorCode.StartFailed,
                    $"Capsule:Network:AllowedPrivateCidrs: '{text}' is not inside 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 or 192.168.0.0/16 (only private ranges need opening)");
            result.Add(network);
        }
        return result;
    }

    private bool IsHostAddress(IPAddress address)
    {
        var now = _time.GetTimestamp();
        if (!_hostAddressesKnown || _time.GetElapsedTime(_hostAddressesRead, now) > HostAddressRefresh)
        {
            _hostAddresses = NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .ToHashSet();
            _hostAddressesRead = now;
            _hostAddressesKnown = true;
        }
        return _hostAddresses.Contains(address);
    }
}
