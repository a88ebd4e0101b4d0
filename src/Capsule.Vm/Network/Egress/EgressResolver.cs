using System.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// The only resolver a guest can reach (its gateway's port 53, DNATed here; docs/network.md §4). For each query:
/// 1. the slot is found by the source address; a query from anywhere else is refused;
/// 2. a name the slot's rules do not allow is REFUSED (and counted and logged), so DNS cannot carry data to a denied name;
/// 3. an allowed name's A records come from <see cref="UpstreamDns"/>, without the addresses no guest may reach
///    (DNS rebinding: all of them gone is REFUSED too); other types get an empty answer (no IPv6 for guests);
/// 4. an upstream failure is SERVFAIL. Answers are built here: nothing the upstream sent reaches the guest as bytes.
/// Built on ARSoft.Tools.Net's DNS server (UDP).
/// </summary>
internal sealed partial class EgressResolver : IDisposable
{
    /// <summary>The longest a guest may cache an answer, so a policy change reaches its lookups soon.</summary>
    private const int MaxTtlSeconds = 30;

    private readonly EgressSlots _slots;
    private readonly UpstreamDns _upstream;
    private readonly AddressRules _addresses;
    private readonly ILogger _logger;
    private readonly DnsServer _server;

    public EgressResolver(int port, EgressSlots slots, UpstreamDns upstream, AddressRules addresses, ILogger logger)
    {
        Port = port;
        _slots = slots;
        _upstream = upstream;
        _addresses = addresses;
        _logger = logger;
        _server = new DnsServer(new UdpServerTransport(new IPEndPoint(IPAddress.Any, port), 5000));
        _server.QueryReceived += OnQueryAsync;
    }

    public int Port { get; }

    public void Start() => _server.Start();

    public void Dispose()
    {
        _server.Stop();
    }

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
            return;
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        e.Response = response;
        if (_slots.Find(e.RemoteEndpoint.Address) is not { } slot || query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.Refused;
            return;
        }
        var question = query.Questions[0];
        var name = DomainPatterns.Normalize(question.Name.ToString()) ?? "";
        if (!DomainPatterns.MayResolve(slot.Egress.Rules, name))
        {
            Deny(slot, name, "not allowed by the policy");
            response.ReturnCode = ReturnCode.Refused;
            return;
        }
        if (question.RecordType != RecordType.A || question.RecordClass != RecordClass.INet)
        {
            response.ReturnCode = ReturnCode.NoError;
            return;
        }
        try
        {
            var (addresses, ttl) = await _upstream.ResolveAsync(name, CancellationToken.None).ConfigureAwait(false);
            var permitted = addresses.Where(_addresses.Permits).ToList();
            if (addresses.Count > 0 && permitted.Count == 0)
            {
                Deny(slot, name, "resolves only to addresses no guest may reach");
                response.ReturnCode = ReturnCode.Refused;
                return;
            }
            response.ReturnCode = ReturnCode.NoError;
            foreach (var address in permitted)
                response.AnswerRecords.Add(new ARecord(question.Name, Math.Clamp(ttl, 0, MaxTtlSeconds), address));
        }
        catch (UpstreamDnsException ex)
        {
            LogUpstreamFailed(_logger, name, ex.Message);
            response.ReturnCode = ReturnCode.ServerFailure;
        }
    }

    private void Deny((int Index, SlotEgress Egress) slot, string name, string reason)
    {
        slot.Egress.CountDeniedLookup();
        LogDenied(_logger, slot.Index, name, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Egress: slot {Slot} was refused the name {Name}: {Reason}")]
    private static partial void LogDenied(ILogger logger, int slot, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Egress: the upstream resolver failed for {Name}: {Reason}")]
    private static partial void LogUpstreamFailed(ILogger logger, string name, string reason);
}
