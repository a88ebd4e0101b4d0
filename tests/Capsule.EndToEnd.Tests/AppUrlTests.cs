using System.Net.Http.Headers;

namespace Capsule.EndToEnd.Tests;

/// <summary>
/// A server in a real guest, reached through its app URL on the apps origin: private shares need the owner's key and
/// the guest never sees it; public shares need nothing; a revoked share, a port nobody listens on and a killed VM each
/// get a clear status. All traffic stays on this machine (the apps listener is loopback, the guest's slot is local).
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AppUrlTests(ServerFixture fixture)
{
    /// <summary>A guest HTTP server that answers with the path it got and the headers it saw.</summary>
    private const string EchoServer = """
        cat > /tmp/echo.py <<'PY'
        import http.server
        class Echo(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (self.path + "\n" + "".join(f"{k.lower()}: {v}\n" for k, v in self.headers.items())).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("0.0.0.0", 8000), Echo).serve_forever()
        PY
        (setsid nohup python3 /tmp/echo.py >/dev/null 2>&1 &)
        for i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/8000) 2>/dev/null && echo listening && break; sleep 0.2; done
        """;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GuestServer_ThroughItsShares_AnswersOnlyWhomItShould()
    {
        var server = fixture.RequireServer();
        if (!File.Exists("/usr/sbin/nft"))
            Assert.Skip("guest networking needs nftables on this host (make deps installs it)");
        using var admin = server.CreateClient();
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var session = await Api.CreateSessionAsync(admin, server.AdminKey, 600, null, Token);
        try
        {
            var started = await Api.ExecuteAsync(admin, session, EchoServer, "bash", Token);
            Assert.Equal("listening", started["stdout"]!.GetValue<string>().Trim());
            var (_, appUrl) = await Api.GetAsync(admin, $"/v1/sessions/app-url/{session}?port=8000", Token);
            var url = appUrl!["url"]!.GetValue<string>();
            Assert.StartsWith(server.AppsUrl.ToString(), url, StringComparison.Ordinal);

            // Private: the owner's key works and never reaches the guest; no key is 401.
            using var withKey = new HttpRequestMessage(HttpMethod.Get, url + "some/path?q=1");
            withKey.Headers.Add("X-API-Key", server.AdminKey);
            using var answered = await anonymous.SendAsync(withKey, Token);
            var echoed = await answered.Content.ReadAsStringAsync(Token);
            using var keyless = await anonymous.GetAsync(new Uri(url), Token);

            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.StartsWith("/some/path?q=1\n", echoed, StringComparison.Ordinal);
            Assert.DoesNotContain(server.AdminKey, echoed, StringComparison.Ordinal);
            Assert.DoesNotContain("x-api-key", echoed, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);

            // Public: anyone with the URL; revoked: gone for good.
            var (_, share) = await Api.PostAsync(admin, "/v1/shares", new JsonObject { ["session_id"] = session, ["port"] = 8000, ["is_public"] = true }, Token);
            var publicUrl = share!["url"]!.GetValue<string>();
            using var open = await anonymous.GetAsync(new Uri(publicUrl + "hello"), Token);
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            Assert.StartsWith("/hello\n", await open.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
            await SendAsync(admin, HttpMethod.Patch, $"/v1/shares/{share["share_id"]!.GetValue<string>()}", new JsonObject { ["revoke"] = true });
            using var revoked = await anonymous.GetAsync(new Uri(publicUrl + "hello"), Token);
            Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);

            // Nothing listening on the port: 502 with a detail.
            var (_, idle) = await Api.PostAsync(admin, "/v1/shares", new JsonObject { ["session_id"] = session, ["port"] = 8001, ["is_public"] = true }, Token);
            using var nobody = await anonymous.GetAsync(new Uri(idle!["url"]!.GetValue<string>()), Token);
            Assert.Equal(HttpStatusCode.BadGateway, nobody.StatusCode);
            Assert.Equal("Nothing answered on port 8001 in the VM", JsonNode.Parse(await nobody.Content.ReadAsStringAsync(Token))!["detail"]!.GetValue<string>());

            // The API is not served on the apps origin.
            using var noApi = await anonymous.GetAsync(new Uri(server.AppsUrl, "/health"), Token);
            Assert.Equal(HttpStatusCode.NotFound, noApi.StatusCode);

            // The VM is killed: the share stays, its URL says the VM is not running.
            await Api.PostAsync(admin, "/kill", new JsonObject { ["session_id"] = session }, Token);
            using var gone = await anonymous.GetAsync(new Uri(idle["url"]!.GetValue<string>()), Token);
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        }
        finally
        {
            await Api.PostAsync(admin, "/kill", new JsonObject { ["session_id"] = session }, Token);
        }
    }

    private static async Task SendAsync(HttpClient client, HttpMethod method, string path, JsonObject body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
