using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// How Capsule itself resolves names for guests: the upstream resolvers of <c>Capsule:Network:UpstreamDns</c> (the host's
/// <c>/etc/resolv.conf</c> when unset), through ARSoft.Tools.Net's stub resolver (it follows CNAMEs and caches by TTL).
/// Only A records: guests have no IPv6.
/// </summary>
internal sealed class UpstreamDns
{
    private readonly DnsStubResolver _resolver;

    public UpstreamDns(IReadOnlyList<IPAddress> servers, int port, TimeSpan timeout)
    {
        Servers = servers;
        var client = new DnsClient(servers, [new UdpClientTransport(port), new TcpClientTransport(port)], false, (int)timeout.TotalMilliseconds);
        _resolver = new DnsStubResolver(client);
    }

    public IReadOnlyList<IPAddress> Servers { get; }

    /// <summary>The name's IPv4 addresses (empty when it has none or the upstream failed) and the shortest TTL in seconds.</summary>
    public async Task<(IReadOnlyList<IPAddress> Addresses, int TtlSeconds)> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (!DomainName.TryParse(name, out var domain))
            return ([], 0);
        List<ARecord> records;
        try
        {
            records = await _resolver.ResolveAsync<ARecord>(domain!, RecordType.A, RecordClass.INet, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new UpstreamDnsException($"the upstream resolver failed for {name}: {e.Message}", e);
        }
        var addresses = records.Select(r => r.Address).Distinct().ToList();
        return (addresses, records.Count == 0 ? 0 : records.Min(r => r.TimeToLive));
    }

    /// <summary>The nameservers of a resolv.conf text (IPv4 only).</summary>
    public static IReadOnlyList<IPAddress> FromResolvConf(string text) =>
        text.Split('\n')
            .Select(line => line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 2 && parts[0] == "nameserver")
            .Select(parts => IPAddress.TryParse(parts[1], out var address) ? address : null)
            .OfType<IPAddress>()
            .Where(address => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .ToList();
}
