using System.Net;

namespace Capsule.TestInternet;

/// <summary>The command line: the DNS server's address, the named servers and the zone the DNS server answers.</summary>
internal sealed record InternetOptions(IPAddress DnsAddress, IReadOnlyDictionary<string, IPAddress> Servers, IReadOnlyDictionary<string, IPAddress> Zone)
{
    public static InternetOptions Parse(string[] args)
    {
        IPAddress? dns = null;
        var servers = new Dictionary<string, IPAddress>(StringComparer.Ordinal);
        var zone = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--dns":
                    dns = IPAddress.Parse(value);
                    break;
                case "--server":
                    var (name, address) = Pair(value);
                    servers[name] = address;
                    break;
                case "--zone":
                    var (host, target) = Pair(value);
                    zone[host.TrimEnd('.')] = target;
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        return new InternetOptions(dns ?? throw new ArgumentException("--dns is required"), servers, zone);
    }

    private static (string Name, IPAddress Address) Pair(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
            throw new ArgumentException($"expected name=address, got {value}");
        return (value[..equals], IPAddress.Parse(value[(equals + 1)..]));
    }
}
