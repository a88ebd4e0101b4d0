namespace Capsule.EndToEnd.Tests;

/// <summary>
/// Every guest has the template's NIC with the fixed MAC and address, routes through its gateway, and asks only
/// Capsule's resolver there; whatever its policy, no address of this host answers it (EgressTests has the policy itself).
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
    public async Task Guest_RoutesAndResolvesThroughItsGatewayOnly()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();

        var result = await Api.ExecuteAsync(
            client, fixture.SharedSessionId, "ip route show default; grep '^nameserver' /etc/resolv.conf", "bash", Token);

        Assert.Equal(["default via 169.254.0.22 dev eth0", "nameserver 169.254.0.22"],
            result["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
    }

    [Fact]
    public async Task Guest_WithAPolicyAllowingEveryAddress_ReachesNoHostAddress()
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
            var (status, policy) = await Api.PostAsync(client, $"/v1/egress/session/{session}", new JsonObject
            {
                ["allow_http"] = true,
                ["allow_https"] = true,
                ["allowed_cidrs"] = new JsonArray("0.0.0.0/0"),
            }, Token);
            Assert.True(status == HttpStatusCode.OK, policy?.ToJsonString());
            // The host service's port, the API's and the app proxy's (those listen on loopback: no address should lead there).
            var probes = targets.SelectMany(t => new[] { port, server.Url.Port, server.AppsUrl.Port }.Select(p => $"{t}:{p}")).ToList();
            var probe = string.Concat(probes.Select(t => $"timeout 3 bash -c 'echo > /dev/tcp/{t.Replace(':', '/')}' 2>/dev/null && echo '{t} open' || echo '{t} closed'\n"));

            var result = await Api.ExecuteAsync(client, session, probe, "bash", Token);

            var lines = result["stdout"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(probes.Select(t => $"{t} closed"), lines);
        }
        finally
        {
            await Api.PostAsync(client, "/kill", new JsonObject { ["session_id"] = session }, Token);
        }
    }
}
