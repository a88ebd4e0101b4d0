namespace Capsule.EndToEnd.Tests;

/// <summary>
/// Every guest has the template's NIC with the fixed MAC and address, and no way out: no default route, so any address
/// beyond the link is unreachable at once. Nothing is sent off this machine (192.0.2.1 is a documentation address, and
/// without a route the guest kernel refuses before a packet exists).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class GuestNetworkTests(ServerFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Guest_HasTheTemplateNicWithItsFixedMacAndAddress()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var result = await Api.ExecuteAsync(
            client, fixture.SharedSessionId, "cat /sys/class/net/eth0/address; ip -4 -o addr show dev eth0 | awk '{print $4}'", "bash", Token);

        Assert.Equal(["02:ca:75:00:00:02", "169.254.0.21/30"], result["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Guest_WithoutANetwork_HasNoDefaultRouteAndFailsAtOnce()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var routes = await Api.ExecuteAsync(client, fixture.SharedSessionId, "ip route show default | wc -l", "bash", Token);
        var connect = await Api.ExecuteAsync(
            client,
            fixture.SharedSessionId,
            "import errno, socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=20)\nexcept OSError as e:\n    print(errno.errorcode.get(e.errno, e))",
            "python",
            Token);

        Assert.Equal("0", routes["stdout"]!.GetValue<string>().Trim());
        Assert.Equal("ENETUNREACH", connect["stdout"]!.GetValue<string>().Trim());
    }

    [Fact]
    public async Task Guest_AsRootWithItsOwnDefaultRoute_ReachesNoHostAddress()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();
        // A host service on every address of this machine; the guest (root in its VM) routes itself out and tries each.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var targets = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            .Select(a => a.ToString())
            .Append("169.254.0.22")
            .Distinct()
            .ToList();
        var session = await Api.CreateSessionAsync(client, server.AdminKey, 300, null, Token);
        try
        {
            var probe = "ip route replace default via 169.254.0.22 dev eth0\n"
                + string.Concat(targets.Select(t => $"timeout 3 bash -c 'echo > /dev/tcp/{t}/{port}' 2>/dev/null && echo '{t} open' || echo '{t} closed'\n"));

            var result = await Api.ExecuteAsync(client, session, probe, "bash", Token);

            var lines = result["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(targets.Select(t => $"{t} closed"), lines);
        }
        finally
        {
            await Api.PostAsync(client, "/kill", new JsonObject { ["session_id"] = session }, Token);
        }
    }
}
