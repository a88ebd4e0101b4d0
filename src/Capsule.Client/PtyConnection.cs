using System.Net.WebSockets;
using System.Text.Json;
using Capsule.Client.Wire;

namespace Capsule.Client;

/// <summary>
/// An attached PTY: bytes typed go to the shell, bytes read are what the terminal printed. Reads end (0) when the
/// shell has exited (<see cref="ExitCode"/>), when another attach took over, or when the server closed the socket
/// (<see cref="CloseStatus"/> says which). One reader and any number of writers at a time.
/// </summary>
public sealed class PtyConnection : IAsyncDisposable
{
    /// <summary>The close status the server sends when another attach has taken over.</summary>
    public const int SupersededCloseStatus = 4001;

    private static readonly TimeSpan ClosePatience = TimeSpan.FromSeconds(5);

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly MemoryStream _text = new();

    internal PtyConnection(ClientWebSocket socket) => _socket = socket;

    /// <summary>The shell's exit status, once the server has reported it.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>How the server closed the socket: normal after an exit, <see cref="SupersededCloseStatus"/> on a take-over, 1011 when the VM went away.</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>Sends keystrokes (raw bytes, e.g. 0x03 for Ctrl-C).</summary>
    /// <param name="input">The bytes.</param>
    /// <param name="cancellationToken">Cancels the send (which aborts the socket).</param>
    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default) =>
        SendAsync(input, WebSocketMessageType.Binary, cancellationToken);

    /// <summary>Sets the window size (a resize text frame); the shell's foreground job gets SIGWINCH.</summary>
    /// <param name="cols">Width in columns, 1 to 1000.</param>
    /// <param name="rows">Height in rows, 1 to 1000.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    public Task ResizeAsync(int cols, int rows, CancellationToken cancellationToken = default)
    {
        var frame = JsonSerializer.SerializeToUtf8Bytes(new ResizePtyBody(cols, rows, "resize"), ClientJsonContext.Default.ResizePtyBody);
        return SendAsync(frame, WebSocketMessageType.Text, cancellationToken);
    }

    /// <summary>Reads terminal output into <paramref name="buffer"/>; 0 once the server has closed the socket.</summary>
    /// <param name="buffer">Where to copy the bytes.</param>
    /// <param name="cancellationToken">Cancels the read (which aborts the socket).</param>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseSent))
                return 0;
            ValueWebSocketReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException e) when (e.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
            {
                return 0;
            }
            switch (received.MessageType)
            {
                case WebSocketMessageType.Binary when received.Count > 0:
                    return received.Count;
                case WebSocketMessageType.Binary:
                    continue;
                case WebSocketMessageType.Text:
                    _text.Write(buffer.Span[..received.Count]);
                    if (received.EndOfMessage)
                        OnText();
                    continue;
                default:
                    CloseStatus = _socket.CloseStatus;
                    await CloseQuietlyAsync().ConfigureAwait(false);
                    return 0;
            }
        }
    }

    /// <summary>Closes the socket; the shell keeps running on the server for its reattach grace (delete the PTY to end it).</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseQuietlyAsync().ConfigureAwait(false);
        _socket.Dispose();
        _sending.Dispose();
        await _text.DisposeAsync().ConfigureAwait(false);
    }

    private void OnText()
    {
        try
        {
            var message = JsonSerializer.Deserialize(_text.ToArray(), ClientJsonContext.Default.PtySocketMessage);
            if (message?.Type == "exit")
                ExitCode = message.ExitCode;
        }
        catch (JsonException)
        {
            // A message this client does not know.
        }
        _text.SetLength(0);
    }

    private async Task SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    private async Task CloseQuietlyAsync()
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            return;
        using var patience = new CancellationTokenSource(ClosePatience);
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", patience.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Nobody left to tell.
        }
    }
}
