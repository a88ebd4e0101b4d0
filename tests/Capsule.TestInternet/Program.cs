using Capsule.TestInternet;

// capsule-test-internet --dns <ip> --server <name>=<ip>... --zone <name>=<ip>...
// Prints "ready" once every listener is bound, then one line per DNS question ("dns <name> <type>") until stdin closes
// or it is killed.
var options = InternetOptions.Parse(args);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

await using var web = await WebServers.StartAsync(options.Servers, stop.Token);
using var udp = UdpEcho.Start(options.Servers, stop.Token);
using var dns = ZoneServer.Start(options.DnsAddress, options.Zone);

Console.WriteLine("ready");
await Console.Out.FlushAsync(stop.Token);
try
{
    // The harness owns this process: it ends when the harness closes stdin or kills it.
    await Console.In.ReadToEndAsync(stop.Token);
}
catch (OperationCanceledException)
{
}
