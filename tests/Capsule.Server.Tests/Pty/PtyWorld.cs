using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Pty;

/// <summary>A server on real Kestrel (so WebSockets have real sockets and real backpressure), a session and its client.</summary>
internal sealed class PtyWorld : IAsyncDisposable
{
    private PtyWorld(CapsuleApp app, HttpClient client, string sessionId, Uri baseAddress)
    {
        App = app;
        Client = client;
        SessionId = sessionId;
        BaseAddress = baseAddress;
    }

    public CapsuleApp App { get; }

    public HttpClient Client { get; }

    public string SessionId { get; }

    public Uri BaseAddress { get; }

    public string Base => $"/v1/sessions/{SessionId}/pty/sessions";

    public static async Task<PtyWorld> StartAsync(CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new CapsuleApp(settings: settings);
        // Listen() rather than UseKestrel(0): the factory's port override races the host's start ("Addresses cannot be
        // modified after the server has started").
        app.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Add("X-API-Key", app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, cancellationToken);
        return new PtyWorld(app, client, sessionId, baseAddress);
    }

    /// <summary>Creates a PTY (asserting 200) and returns its JSON.</summary>
    public async Task<JsonNode> CreatePtyAsync(CancellationToken cancellationToken, JsonObject? body = null)
    {
        var (status, json) = await Client.PostJsonAsync(Base, body ?? [], cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"create pty: {status} {json}");
        return json!;
    }

    public FakePty FakePty(int index = 0) => App.Machines.Last.Ptys[index];

    /// <summary>Opens the attach WebSocket with the admin key (or <paramref name="token"/> and no key).</summary>
    public async Task<ClientWebSocket> AttachAsync(string ptyId, CancellationToken cancellationToken, string? token = null)
    {
        var socket = new ClientWebSocket();
        var path = $"{Base}/{ptyId}/attach";
        if (token is null)
            socket.Options.SetRequestHeader("X-API-Key", App.AdminKey);
        else
            path += "?token=" + Uri.EscapeDataString(token);
        var uri = new UriBuilder(new Uri(BaseAddress, path)) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return socket;
    }

    /// <summary>Reads binary frames until the text seen so far contains <paramref name="text"/>; returns it all.</summary>
    public static async Task<string> ReadUntilAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            Assert.NotEqual(WebSocketMessageType.Close, received.MessageType);
            seen.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
        }
        return seen.ToString();
    }

    /// <summary>Reads until the server's close; returns the last text frame and the close status.</summary>
    public static async Task<(string? LastText, WebSocketCloseStatus? Status)> ReadToCloseAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        string? lastText = null;
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                return (lastText, received.CloseStatus);
            }
            if (received.MessageType == WebSocketMessageType.Text)
                lastText = Encoding.UTF8.GetString(buffer, 0, received.Count);
        }
    }

    public static Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
