using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Capsule.Vm.HostTools;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// This server's egress enforcement (docs/network.md §4): the address rules, the resolver and the transparent proxy
/// every slot's DNAT points at, and each slot's rules. Started before any slot exists, since slot rules name its ports.
/// </summary>
internal sealed partial class EgressHost : IAsyncDisposable
{
    private readonly EgressResolver _resolver;
    private readonly EgressProxy _proxy;
    private readonly ILogger _logger;

    private EgressHost(EgressSlots slots, AddressRules addresses, EgressResolver resolver, EgressProxy proxy, ILogger logger)
    {
        Slots = slots;
        Addresses = addresses;
        _resolver = resolver;
        _proxy = proxy;
        _logger = logger;
        Ports = new EgressPorts(resolver.Port, proxy.HttpPort, proxy.TlsPort);
    }

    public EgressSlots Slots { get; }

    public AddressRules Addresses { get; }

    public EgressPorts Ports { get; }

    /// <summary>Opens the resolver and the proxy on free ports. Throws <see cref="MachineException"/> for a bad configuration.</summary>
    public static EgressHost Start(NetworkOptions options, SlotLayout layout, TimeProvider time, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger<EgressHost>();
        var addresses = new AddressRules(AddressRules.ParseOpened(options.AllowedPrivateCidrs), IPNetwork.Parse(layout.PrefixRange), time);
        var servers = options.UpstreamDns.Count > 0
            ? options.UpstreamDns.Select(ParseServer).ToList()
            : UpstreamDns.FromResolvConf(File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "");
        if (servers.Count == 0)
            throw new MachineException(MachineErrorCode.StartFailed, "no upstream resolver for guests: set Capsule:Network:UpstreamDns (the host's /etc/resolv.conf names no IPv4 nameserver)");
        var upstream = new UpstreamDns(servers, options.UpstreamDnsPort, options.UpstreamDnsTimeout);
        var slots = new EgressSlots(layout);
        var resolver = new EgressResolver(FreeUdpPort(), slots, upstream, addresses, loggerFactory.CreateLogger<EgressResolver>());
        var proxy = new EgressProxy(slots, upstream, addresses,
            new EgressProxyOptions(options.ProxySniffTimeout, options.ProxyConnectTimeout), loggerFactory.CreateLogger<EgressProxy>());
        resolver.Start();
        proxy.Start();
        var host = new EgressHost(slots, addresses, resolver, proxy, logger);
        var upstreamNames = string.Join(", ", servers);
        LogStarted(logger, host.Ports.Dns, host.Ports.Http, host.Ports.Tls, upstreamNames, addresses.Opened.Count);
        return host;
    }

    /// <summary>
    /// Puts <paramref name="rules"/> in force for slot <paramref name="slot"/>: its <c>allowed</c> CIDR set in one nftables
    /// transaction when it changes (a process, so only then), then the names the resolver and proxy allow, closing
    /// proxied connections the new rules forbid.
    /// </summary>
    public async Task ApplyAsync(NetworkSlot slot, EgressRules rules, CancellationToken cancellationToken)
    {
        var egress = Slots[slot.Index];
        var cidrs = rules.Cidrs.Where(c => c.BaseAddress.AddressFamily == AddressFamily.InterNetwork).ToList();
        if (!cidrs.SequenceEqual(egress.Rules.Cidrs))
        {
            await HostCommand.RunAsync("nsenter", [$"--net={slot.NamespacePath}", "nft", "-f", "-"], SlotRules.AllowedCidrs(cidrs), cancellationToken)
                .ConfigureAwait(false);
        }
        egress.Apply(rules with { Cidrs = cidrs });
    }

    /// <summary>Bytes to and from the guest and what was refused, since the slot's machine started.</summary>
    public async Task<NetworkCounters> ReadCountersAsync(NetworkSlot slot, CancellationToken cancellationToken)
    {
        var json = await HostCommand.RunAsync("nsenter", [$"--net={slot.NamespacePath}", "nft", "-j", "list", "counters", "table", "inet", "capsule"], null, cancellationToken)
            .ConfigureAwait(false);
        long rx = 0, tx = 0, refused = 0;
        using var document = JsonDocument.Parse(json);
        foreach (var item in document.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("counter", out var counter))
                continue;
            switch (counter.GetProperty("name").GetString())
            {
                case "rx":
                    rx = counter.GetProperty("bytes").GetInt64();
                    break;
                case "tx":
                    tx = counter.GetProperty("bytes").GetInt64();
                    break;
                case "refused":
                    refused = counter.GetProperty("packets").GetInt64();
                    break;
            }
        }
        var egress = Slots[slot.Index];
        return new NetworkCounters(rx, tx, refused + egress.DeniedConnections, egress.DeniedLookups);
    }

    public async ValueTask DisposeAsync()
    {
        _resolver.Dispose();
        await _proxy.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress ParseServer(string text) =>
        IPAddress.TryParse(text.Trim(), out var address) && address.AddressFamily == AddressFamily.InterNetwork
            ? address
            : throw new MachineException(MachineErrorCode.StartFailed, $"Capsule:Network:UpstreamDns: '{text}' is not an IPv4 address");

    /// <summary>A UDP port free now (the resolver binds it right after).</summary>
    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Any, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Egress: resolver on UDP {Dns}, proxy on TCP {Http} (HTTP) and {Tls} (TLS); upstream resolvers {Upstream}; {Opened} private range(s) opened")]
    private static partial void LogStarted(ILogger logger, int dns, int http, int tls, string upstream, int opened);
}
