using System.Net;
using ARSoft.Tools.Net.Dns;

namespace Capsule.TestInternet;

/// <summary>
/// The upstream resolver in the test internet: A records for the zone's names, NXDOMAIN for anything else, and one
/// line per question on stdout so a test can see which names ever left Capsule's resolver.
/// </summary>
internal sealed class ZoneServer : IDisposable
{
    private readonly DnsServer _server;
    private readonly IReadOnlyDictionary<string, IPAddress> _zone;

    private ZoneServer(IPAddress address, IReadOnlyDictionary<string, IPAddress> zone)
    {
        _zone = zone;
        _server = new DnsServer(new UdpServerTransport(new IPEndPoint(address, 53)));
        _server.QueryReceived += OnQueryAsync;
    }

    public static ZoneServer Start(IPAddress address, IReadOnlyDictionary<string, IPAddress> zone)
    {
        var server = new ZoneServer(address, zone);
        server._server.Start();
        return server;
    }

    public void Dispose() => _server.Stop();

    private Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1)
            return Task.CompletedTask;
        var question = query.Questions[0];
        var name = question.Name.ToString().TrimEnd('.');
        Console.WriteLine($"dns {name.ToLowerInvariant()} {question.RecordType}");
        var response = query.CreateResponseInstance();
        if (_zone.TryGetValue(name, out var address))
        {
            response.ReturnCode = ReturnCode.NoError;
            if (question.RecordType == RecordType.A)
                response.AnswerRecords.Add(new ARecord(question.Name, 60, address));
        }
        else
        {
            response.ReturnCode = ReturnCode.NxDomain;
        }
        e.Response = response;
        return Task.CompletedTask;
    }
}
