namespace Capsule.EndToEnd.Tests;

/// <summary>
/// The egress policy as a hostile guest meets it, on the test internet (harness/TestInternet.cs): alpha.test and
/// cdn.test are server alpha, beta.test is server beta, and every answer names the server that gave it. The tests share
/// one session and set its policy first, so each also checks that a policy change holds from the next connection on.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class EgressTests(ServerFixture fixture)
{
    private static readonly SemaphoreSlim SessionGate = new(1, 1);
    private static string? s_sessionId;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllowedDomain_IsReachedOverHttpAndHttps()
    {
        var (server, internet) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("alpha.test") });

        var lines = await BashLinesAsync(client, session, "curl -s -m 20 http://alpha.test/; curl -sk -m 20 https://alpha.test/");

        Assert.Equal(["server=alpha host=alpha.test sni=- port=80", "server=alpha host=alpha.test sni=alpha.test port=443"], lines);
        Assert.Contains("alpha.test", internet.Questions);
    }

    [Fact]
    public async Task DeniedDomain_FailsAtDns_NeverReachesTheUpstream_AndIsRefusedAtAnAllowedAddress()
    {
        var (server, internet) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("alpha.test") });

        // beta.test dialled at alpha's own address (an allowed host's IP, as a CDN's would be), over HTTP and TLS.
        var lines = await BashLinesAsync(client, session,
            "getent hosts beta.test >/dev/null; echo \"lookup $?\"\n"
            + $"curl -s -m 20 --resolve beta.test:80:{internet.Alpha} http://beta.test/ || echo \"http $?\"\n"
            + $"curl -sk -m 20 --resolve beta.test:443:{internet.Alpha} https://beta.test/ || echo \"https $?\"\n");

        Assert.Equal("lookup 2", lines[0]);
        Assert.DoesNotContain("server=", string.Join('\n', lines));
        Assert.Equal(3, lines.Count);
        Assert.DoesNotContain("beta.test", internet.Questions);
    }

    [Fact]
    public async Task AllowedName_DialledAtAnotherServersAddress_ReachesTheAllowedServer()
    {
        var (server, internet) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("alpha.test") });

        var lines = await BashLinesAsync(client, session,
            $"curl -s -m 20 --resolve alpha.test:80:{internet.Beta} http://alpha.test/ || echo \"http $?\"\n"
            + $"curl -sk -m 20 --resolve alpha.test:443:{internet.Beta} https://alpha.test/ || echo \"https $?\"\n");

        Assert.Equal(["server=alpha host=alpha.test sni=- port=80", "server=alpha host=alpha.test sni=alpha.test port=443"], lines);
    }

    [Fact]
    public async Task AllowedCidr_IsReachedOnAnyPortAndUdp_AndNoOtherAddressIs()
    {
        var (server, internet) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_cidrs"] = new JsonArray($"{internet.Alpha}/32") });

        var tcp = await BashLinesAsync(client, session,
            $"curl -s -m 20 http://{internet.Alpha}:8080/ || echo \"alpha $?\"\n"
            + $"curl -s -m 20 http://{internet.Beta}:8080/ || echo \"beta $?\"\n");
        var udp = await PythonLinesAsync(client, session, Probes + $"udp('{internet.Alpha}')\nudp('{internet.Beta}')\nping('{internet.Alpha}')\nping('{internet.Beta}')\n");

        Assert.Equal([$"server=alpha host={internet.Alpha} sni=- port=8080", "beta 7"], tcp);
        Assert.Equal(["server=alpha udp", "no answer", "echo reply", "no answer"], udp);
    }

    [Fact]
    public async Task DenyAll_StopsTcpUdpIcmpAndDns()
    {
        var (server, internet) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_cidrs"] = new JsonArray($"{internet.Alpha}/32") });
        var before = await PythonLinesAsync(client, session, Probes + $"udp('{internet.Alpha}')\n");
        await SetPolicyAsync(client, session, new JsonObject());

        var tcp = await BashLinesAsync(client, session,
            "getent hosts alpha.test >/dev/null; echo \"lookup $?\"\n"
            + $"curl -s -m 20 http://{internet.Alpha}:8080/ || echo \"tcp $?\"\n"
            + $"curl -s -m 20 http://{internet.Alpha}/ || echo \"http\"\n");
        var other = await PythonLinesAsync(client, session, Probes + $"udp('{internet.Alpha}')\nping('{internet.Alpha}')\n");
        var (_, usage) = await Api.GetAsync(client, $"/v1/sessions/usage/{session}", Token);

        Assert.Equal(["server=alpha udp"], before); // the same probe worked a moment ago
        Assert.Equal(["lookup 2", "tcp 7", "http"], tcp);
        Assert.Equal(["no answer", "no answer"], other);
        Assert.True(usage!["network_denied"]!.GetValue<long>() > 0, usage.ToJsonString());
    }

    [Fact]
    public async Task GuestChosenResolver_IsUnreachable()
    {
        var (server, internet) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("alpha.test") });

        // A hand-made query for a name only the test zone knows, straight to the test internet's DNS server.
        var lines = await PythonLinesAsync(client, session,
            "import socket\n"
            + "q = b'\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00' + b'\\x04beta\\x04test\\x00' + b'\\x00\\x01\\x00\\x01'\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)\n"
            + "try:\n"
            + $"    s.sendto(q, ('{internet.DnsAddress}', 53)); s.recvfrom(512); print('answered')\n"
            + "except OSError:\n"
            + "    print('no answer')\n"
            + "try:\n"
            + $"    socket.create_connection(('{internet.DnsAddress}', 53), timeout=5); print('tcp open')\n"
            + "except OSError:\n"
            + "    print('tcp closed')\n");

        Assert.Equal(["no answer", "tcp closed"], lines);
        Assert.DoesNotContain("beta.test", internet.Questions);
    }

    [Fact]
    public async Task NamesResolvingToForbiddenAddresses_AreRefused()
    {
        var (server, _) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allow_http"] = true, ["allow_https"] = true });

        var lines = await BashLinesAsync(client, session,
            "for n in loopback.test metadata.test hostside.test private.test alpha.test; do getent hosts $n >/dev/null; echo \"$n $?\"; done");

        // The test internet's own range is opened for these tests, so alpha resolves; 192.168/16 is not, so private does not.
        Assert.Equal(["loopback.test 2", "metadata.test 2", "hostside.test 2", "private.test 2", "alpha.test 0"], lines);
    }

    [Fact]
    public async Task PolicyChange_ClosesAProxiedConnectionTheNewPolicyForbids()
    {
        var (server, _) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("alpha.test") });
        const string Request = "b'GET / HTTP/1.1\\r\\nHost: alpha.test\\r\\n\\r\\n'";

        var first = await PythonLinesAsync(client, session,
            "import socket\nkept = socket.create_connection(('alpha.test', 80), timeout=20)\n"
            + $"kept.sendall({Request})\nprint(b'server=alpha' in kept.recv(4096))\n");
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("beta.test") });
        var second = await PythonLinesAsync(client, session,
            "try:\n"
            + $"    kept.sendall({Request}); print('answered' if kept.recv(4096) else 'closed')\n"
            + "except OSError:\n    print('closed')\n");

        Assert.Equal(["True"], first);
        Assert.Equal(["closed"], second);
    }

    [Fact]
    public async Task Usage_CountsTheGuestsTraffic()
    {
        var (server, _) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allowed_domains"] = new JsonArray("alpha.test") });
        var (_, before) = await Api.GetAsync(client, $"/v1/sessions/usage/{session}", Token);

        await BashLinesAsync(client, session, "curl -s -m 20 -o /dev/null http://alpha.test/bytes/2000000; echo done");
        var (_, after) = await Api.GetAsync(client, $"/v1/sessions/usage/{session}", Token);

        Assert.True(after!["network_rx_bytes"]!.GetValue<long>() - before!["network_rx_bytes"]!.GetValue<long>() >= 2_000_000, after.ToJsonString());
        Assert.True(after["network_tx_bytes"]!.GetValue<long>() > before["network_tx_bytes"]!.GetValue<long>(), after.ToJsonString());
    }

    [Fact]
    public async Task OtherGuest_IsUnreachable_ThoughItsServerAnswersThroughItsShare()
    {
        var (server, _) = fixture.RequireInternet();
        using var client = server.CreateClient();
        var session = await SessionAsync(client);
        await SetPolicyAsync(client, session, new JsonObject { ["allow_http"] = true, ["allowed_cidrs"] = new JsonArray("0.0.0.0/0") });
        var other = await Api.CreateSessionAsync(client, server.AdminKey, 300, null, Token);
        try
        {
            await Api.ExecuteAsync(client, other, "nohup python3 -m http.server 8000 >/dev/null 2>&1 &\nsleep 2; echo started", "bash", Token);
            var (status, url) = await Api.GetAsync(client, $"/v1/sessions/app-url/{other}?port=8000", Token);
            Assert.True(status == HttpStatusCode.OK, url?.ToJsonString());
            // Every slot's namespace address (capsule-<instance hex>-<n> is <prefix>.<instance>.<4n+2>): the host reaches
            // the other guest's server at its own; the guest may not reach any.
            var slotAddresses = NetworkNamespaces.Slots().Select(SlotAddress).ToList();
            var fromHost = new List<string>();
            foreach (var address in slotAddresses)
                fromHost.Add(await TcpProbe.FailureAsync(address, 8000, TimeSpan.FromSeconds(5), Token) is null ? "open" : "closed");

            var lines = await BashLinesAsync(client, session, string.Concat(slotAddresses.Select(a =>
                $"curl -s -m 10 -o /dev/null http://{a}:8000/ && echo open || echo closed\n")));
            using var share = await client.GetAsync(new Uri(url!["url"]!.GetValue<string>()), Token);

            Assert.Contains("open", fromHost);
            Assert.Equal(slotAddresses.Select(_ => "closed"), lines);
            Assert.Equal(HttpStatusCode.OK, share.StatusCode);
        }
        finally
        {
            await Api.PostAsync(client, "/kill", new JsonObject { ["session_id"] = other }, Token);
        }
    }

    private static string SlotAddress(string ns)
    {
        var parts = ns.Split('-');
        var instance = int.Parse(parts[1], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var slot = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        return $"10.231.{instance}.{(4 * slot) + 2}";
    }

    /// <summary><c>udp(host)</c> prints the echo server's answer or "no answer"; <c>ping(host)</c> "echo reply" or "no answer".</summary>
    private const string Probes = """
        import socket, struct

        def udp(host):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(5)
            try:
                s.sendto(b'hi', (host, 9999))
                print(s.recvfrom(100)[0].decode().strip())
            except OSError:
                print('no answer')

        def ping(host):
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            s.settimeout(5)
            body = struct.pack('!BBHHH', 8, 0, 0, 0x4341, 1) + b'capsule'
            padded = body + b'\0' * (len(body) % 2)
            total = sum(struct.unpack('!%dH' % (len(padded) // 2), padded))
            total = (total >> 16) + (total & 0xffff)
            checksum = ~(total + (total >> 16)) & 0xffff
            try:
                s.sendto(body[:2] + struct.pack('!H', checksum) + body[4:], (host, 0))
                while True:
                    packet, source = s.recvfrom(1500)
                    if source[0] == host and packet[20] == 0:
                        print('echo reply')
                        return
            except OSError:
                print('no answer')

        """;

    private static async Task<string> SessionAsync(HttpClient client)
    {
        await SessionGate.WaitAsync(Token);
        try
        {
            s_sessionId ??= await Api.CreateSessionAsync(client, AdminKeyOf(client), 3600, null, Token);
            return s_sessionId;
        }
        finally
        {
            SessionGate.Release();
        }
    }

    private static string AdminKeyOf(HttpClient client) => client.DefaultRequestHeaders.GetValues("X-API-Key").Single();

    private static async Task SetPolicyAsync(HttpClient client, string session, JsonObject policy)
    {
        var (status, body) = await Api.PostAsync(client, $"/v1/egress/session/{session}", policy, Token);
        Assert.True(status == HttpStatusCode.OK, $"egress: {status} {body}");
    }

    private static async Task<List<string>> BashLinesAsync(HttpClient client, string session, string script) =>
        Lines(await Api.ExecuteAsync(client, session, script, "bash", Token, timeoutSeconds: 120));

    private static async Task<List<string>> PythonLinesAsync(HttpClient client, string session, string code) =>
        Lines(await Api.ExecuteAsync(client, session, code, "python", Token, timeoutSeconds: 120));

    private static List<string> Lines(JsonNode result) =>
        [.. (result["stdout"]?.GetValue<string>() ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd())];
}
