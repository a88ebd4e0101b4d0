namespace Capsule.Vm.Network;

/// <summary>Guest networking (<c>Capsule:Network</c>, docs/network.md).</summary>
internal sealed class NetworkOptions
{
    public const string SectionName = "Capsule:Network";

    /// <summary>
    /// True: every machine gets its own network slot, and a host that cannot make one refuses to start machines.
    /// False: machines keep the NIC of their template on a black hole, with no slot. Null (the default): slots when this
    /// host can make them (root, network namespaces, tap, nftables), otherwise none, said in the log and in /health.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// The first two octets of the slots' link addresses: slot <c>n</c> of instance <c>i</c> is the /30
    /// <c>&lt;prefix&gt;.&lt;i&gt;.&lt;4n&gt;</c>. Only the host uses these addresses; no guest sees them.
    /// </summary>
    public string SlotPrefix { get; set; } = "10.231";

    /// <summary>
    /// This server's instance number (0–255) in slot names and addresses, so servers on one machine never touch each
    /// other's slots. Null: derived from the run directory (stable across restarts, so a restarted server finds what its
    /// crashed predecessor left).
    /// </summary>
    public int? InstanceId { get; set; }

    /// <summary>
    /// Slots made ahead, so a machine started outside the warm pool does not wait for namespace and firewall set-up
    /// (pooled machines have theirs already). 0 makes every slot on demand.
    /// </summary>
    public int ReadySlots { get; set; } = 2;

    /// <summary>
    /// The resolvers Capsule asks for guests' names (IPv4 addresses). Empty: the host's <c>/etc/resolv.conf</c>. Guests
    /// never reach these themselves.
    /// </summary>
    public List<string> UpstreamDns { get; set; } = [];

    /// <summary>The port of <see cref="UpstreamDns"/>.</summary>
    public int UpstreamDnsPort { get; set; } = 53;

    /// <summary>How long one upstream query may take.</summary>
    public TimeSpan UpstreamDnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Private IPv4 ranges (inside 10/8, 172.16/12, 192.168/16, 100.64/10) guests may reach when their policy allows
    /// them (by CIDR or by a name that resolves there). Empty by default: no private address is reachable.
    /// </summary>
    public List<string> AllowedPrivateCidrs { get; set; } = [];

    /// <summary>How long a guest connection through the proxy has to send its request head or TLS ClientHello.</summary>
    public TimeSpan ProxySniffTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the proxy waits for one address of a destination to accept.</summary>
    public TimeSpan ProxyConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
