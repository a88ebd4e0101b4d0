using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Capsule.EndToEnd.Tests;

/// <summary>A PTY of a real guest driven over its attach WebSocket: everything it printed, and ways to type and wait.</summary>
internal sealed partial class PtyTerminal : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    private readonly ServerProcess _server;
    private readonly StringBuilder _screen = new();
    private readonly Lock _gate = new();
    private ClientWebSocket _socket = null!;
    private Task _reader = Task.CompletedTask;

    private PtyTerminal(ServerProcess server, string sessionId, string ptyId)
    {
        _server = server;
        SessionId = sessionId;
        PtyId = ptyId;
    }

    public string SessionId { get; }

    public string PtyId { get; }

    public string Path => $"/v1/sessions/{SessionId}/pty/sessions/{PtyId}";

    /// <summary>The text frame that ended the socket's output, if any (<c>{"type":"exit",…}</c>).</summary>
    public string? LastText { get; private set; }

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string Screen
    {
        get
        {
            lock (_gate)
                return _screen.ToString();
        }
    }

    public static async Task<PtyTerminal> OpenAsync(ServerProcess server, string sessionId, CancellationToken cancellationToken, int cols = 80, int rows = 24)
    {
        using var client = server.CreateClient(server.AdminKey);
        var (status, body) = await Api.PostAsync(client, $"/v1/sessions/{sessionId}/pty/sessions", new { cols, rows }, cancellationToken);
        Assert.True(status == HttpStatusCode.OK, $"create pty: {status} {body}");
        var terminal = new PtyTerminal(server, sessionId, body!["pty_id"]!.GetValue<string>());
        await terminal.AttachAsync(cancellationToken);
        return terminal;
    }

    public async Task AttachAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-API-Key", _server.AdminKey);
        var uri = new UriBuilder(new Uri(_server.Url, Path + "/attach")) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, cancellationToken).WaitAsync(Bound, cancellationToken);
        _socket = socket;
        _reader = Task.Run(() => ReadAsync(socket), CancellationToken.None);
    }

    /// <summary>Drops the socket without a close handshake, as a lost connection would.</summary>
    public async Task DropAsync()
    {
        _socket.Abort();
        await _reader.WaitAsync(Bound);
        _socket.Dispose();
    }

    public Task TypeAsync(string text, CancellationToken cancellationToken) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);

    /// <summary>Waits until what was printed since <paramref name="from"/> matches <paramref name="pattern"/>; returns the match.</summary>
    public async Task<Match> WaitForAsync(string pattern, CancellationToken cancellationToken, int from = 0)
    {
        var regex = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var screen = Screen;
            var match = regex.Match(screen, Math.Min(from, screen.Length));
            if (match.Success)
                return match;
            if (DateTime.UtcNow > deadline || _reader.IsCompleted)
                Assert.Fail($"The terminal never printed /{pattern}/ (socket {(_reader.IsCompleted ? "closed" : "open")}); it printed:\n{screen}");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits for the shell to read commands: types a marker and waits for its result.</summary>
    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var marker = Random.Shared.Next(1000, 9999);
        await TypeAsync($"echo ready-$(({marker}+1))\r", cancellationToken);
        await WaitForAsync($"ready-{marker + 1}", cancellationToken);
    }

    /// <summary>Waits until the server has closed the socket.</summary>
    public Task WaitClosedAsync() => _reader.WaitAsync(Bound);

    private async Task ReadAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = received.CloseStatus;
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                if (received.MessageType == WebSocketMessageType.Text)
                {
                    LastText = Encoding.UTF8.GetString(buffer, 0, received.Count);
                    continue;
                }
                var n = decoder.GetChars(buffer, 0, received.Count, chars, 0);
                lock (_gate)
                    _screen.Append(chars, 0, n);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Dropped on purpose, or by the server.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        await _reader.WaitAsync(Bound);
        _socket.Dispose();
        using var client = _server.CreateClient(_server.AdminKey);
        await client.DeleteAsync(new Uri(Path, UriKind.Relative));
    }
}
