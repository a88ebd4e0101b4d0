using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;

namespace Capsule.EndToEnd.Tests;

/// <summary>
/// A server in a real guest, reached through its app URL on the apps origin: private shares need the owner's key and
/// the guest never sees it; public shares need nothing; a revoked share, a port nobody listens on and a killed VM each
/// get a clear status; WebSockets work and a 100 MB answer streams through. All traffic stays on this machine (the apps
/// listener is loopback, the guest's slot is local).
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

    /// <summary>
    /// A guest server on port 8002 for the tests that share a VM: <c>/echo</c> answers the path and headers it got,
    /// <c>/big</c> answers 100 MiB in 64 KiB writes, <c>/ws</c> is a minimal WebSocket echo (text and binary frames back
    /// as they came, close answered).
    /// </summary>
    private const string StreamServer = """
        cat > /tmp/stream.py <<'PY'
        import base64, hashlib, http.server
        MAGIC = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
        class Stream(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                if self.path.startswith("/echo"):
                    body = (self.path + "\n" + "".join(f"{k.lower()}: {v}\n" for k, v in self.headers.items())).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if self.path.startswith("/big"):
                    chunk = b"x" * 65536
                    self.send_response(200)
                    self.send_header("Content-Length", str(1600 * len(chunk)))
                    self.end_headers()
                    for _ in range(1600):
                        self.wfile.write(chunk)
                    return
                if self.path.startswith("/ws") and self.headers.get("Upgrade", "").lower() == "websocket":
                    accept = base64.b64encode(hashlib.sha1((self.headers["Sec-WebSocket-Key"] + MAGIC).encode()).digest()).decode()
                    self.send_response(101)
                    self.send_header("Upgrade", "websocket")
                    self.send_header("Connection", "Upgrade")
                    self.send_header("Sec-WebSocket-Accept", accept)
                    self.end_headers()
                    self.wfile.flush()
                    while True:
                        head = self.rfile.read(2)
                        if len(head) < 2:
                            return
                        op, size = head[0] & 15, head[1] & 127
                        if size == 126:
                            size = int.from_bytes(self.rfile.read(2), "big")
                        elif size == 127:
                            size = int.from_bytes(self.rfile.read(8), "big")
                        mask = self.rfile.read(4) if head[1] & 128 else bytes(4)
                        data = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(size)))
                        if op == 8:
                            self.wfile.write(b"\x88\x00")
                            self.wfile.flush()
                            return
                        length = bytes([size]) if size < 126 else bytes([126]) + size.to_bytes(2, "big")
                        self.wfile.write(bytes([0x80 | op]) + length + data)
                        self.wfile.flush()
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("0.0.0.0", 8002), Stream).serve_forever()
        PY
        (setsid nohup python3 /tmp/stream.py >/dev/null 2>&1 &)
        for i in $(seq 100); do (echo > /dev/tcp/127.0.0.1/8002) 2>/dev/null && echo listening && break; sleep 0.2; done
        """;

    /// <summary>One VM running <see cref="StreamServer"/>, shared by the streaming tests (TCG boots are slow).</summary>
    private static readonly SemaphoreSlim StreamGuestGate = new(1, 1);
    private static string? _streamShareUrl;

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

    [Fact]
    public async Task PrivateShare_OpenedWithAToken_LetsABrowserInWithACookieTheGuestNeverSees()
    {
        var server = fixture.RequireServer();
        var url = await StreamShareUrlAsync(server);
        var shareId = new Uri(url).Segments[1].TrimEnd('/');
        using var admin = server.CreateClient();
        var (status, answer) = await Api.PostAsync(admin, $"/v1/shares/{shareId}/token", new JsonObject(), Token);
        Assert.Equal(HttpStatusCode.OK, status);
        var tokenUrl = $"{url}echo?x=1&capsule_share_token={answer!["token"]!.GetValue<string>()}";
        var jar = new CookieContainer();
        jar.Add(server.AppsUrl, new Cookie("theirs", "1"));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = true }) { Timeout = TimeSpan.FromMinutes(2) };
        using var stranger = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        using var opened = await browser.GetAsync(new Uri(tokenUrl), Token);
        var echoed = await opened.Content.ReadAsStringAsync(Token);
        using var later = await browser.GetAsync(new Uri(url + "echo/again"), Token);
        using var reused = await stranger.GetAsync(new Uri(tokenUrl), Token);
        using var keyless = await stranger.GetAsync(new Uri(url + "echo"), Token);

        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.StartsWith("/echo?x=1\n", echoed, StringComparison.Ordinal);
        Assert.Contains("cookie: theirs=1\n", echoed, StringComparison.Ordinal);
        Assert.DoesNotContain("capsule_share", echoed, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
        Assert.StartsWith("/echo/again\n", await later.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);
    }

    [Fact]
    public async Task WebSocket_ThroughAPrivateShare_EchoesRoundTrips()
    {
        var server = fixture.RequireServer();
        var url = await StreamShareUrlAsync(server);
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", server.AdminKey);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Token);
        bound.CancelAfter(TimeSpan.FromMinutes(2));

        await socket.ConnectAsync(new Uri("ws" + url["http".Length..] + "ws"), bound.Token);
        var small = await EchoAsync(socket, "hello through the apps origin", bound.Token);
        var large = await EchoAsync(socket, new string('y', 60_000), bound.Token);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", bound.Token);

        Assert.Equal("hello through the apps origin", small);
        Assert.Equal(60_000, large.Length);
        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task HundredMegabyteAnswer_StreamsThroughWithoutTheServerHoldingIt()
    {
        var server = fixture.RequireServer();
        var url = await StreamShareUrlAsync(server);
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Add("X-API-Key", server.AdminKey);
        // A first small read warms the connection pools and buffers, so only the transfer itself is measured.
        using (var warm = await client.GetAsync(new Uri(url + "ws"), Token))
            Assert.Equal(HttpStatusCode.NotFound, warm.StatusCode);
        var baseline = ResidentBytes(server.Pid);
        var peak = baseline;
        long received = 0;

        using (var response = await client.GetAsync(new Uri(url + "big"), HttpCompletionOption.ResponseHeadersRead, Token))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync(Token);
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, Token)) > 0)
            {
                received += read;
                if (received % (4 * 1024 * 1024) < read)
                    peak = Math.Max(peak, ResidentBytes(server.Pid));
            }
        }
        peak = Math.Max(peak, ResidentBytes(server.Pid));

        Assert.Equal(100L * 1024 * 1024, received);
        // Buffering the answer would add at least its 100 MiB; streaming stays within buffer and allocator noise.
        var growth = peak - baseline;
        Assert.True(growth < 32L * 1024 * 1024, $"server resident memory grew by {growth / (1024 * 1024)} MiB while 100 MiB streamed through");
    }

    /// <summary>Starts <see cref="StreamServer"/> in a shared VM once and returns its private share URL (port 8002).</summary>
    private async Task<string> StreamShareUrlAsync(ServerProcess server)
    {
        if (!File.Exists("/usr/sbin/nft"))
            Assert.Skip("guest networking needs nftables on this host (make deps installs it)");
        await StreamGuestGate.WaitAsync(Token);
        try
        {
            if (_streamShareUrl is not null)
                return _streamShareUrl;
            using var admin = server.CreateClient();
            var session = await Api.CreateSessionAsync(admin, server.AdminKey, 1800, null, Token);
            var started = await Api.ExecuteAsync(admin, session, StreamServer, "bash", Token);
            Assert.Equal("listening", started["stdout"]!.GetValue<string>().Trim());
            var (_, appUrl) = await Api.GetAsync(admin, $"/v1/sessions/app-url/{session}?port=8002", Token);
            return _streamShareUrl = appUrl!["url"]!.GetValue<string>();
        }
        finally
        {
            StreamGuestGate.Release();
        }
    }

    private static async Task<string> EchoAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        using var message = new MemoryStream();
        var buffer = new byte[16384];
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return Encoding.UTF8.GetString(message.ToArray());
    }

    /// <summary>The process's resident set (VmRSS), in bytes.</summary>
    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static async Task SendAsync(HttpClient client, HttpMethod method, string path, JsonObject body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
