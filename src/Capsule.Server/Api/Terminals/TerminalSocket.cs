using System.Net.WebSockets;
using System.Text.Json;
using Capsule.Server.Api.Errors;
using Capsule.Server.Sessions.Terminals;

namespace Capsule.Server.Api.Terminals;

/// <summary>
/// One attach WebSocket (docs/api.md, "PTY"):
/// 1. Binary frames from the client are keystrokes; a text frame <c>{"type":"resize","cols":C,"rows":R}</c> resizes.
/// 2. Binary frames to the client are terminal output, sent as the guest printed it. A slow client slows the guest
///    (nothing is read from the PTY while a send waits), so no output piles up here.
/// 3. When the shell ends: a text frame <c>{"type":"exit","exit_code":N}</c>, then a normal close.
/// 4. Another attach takes over: close 4001. The VM went away: close 1011. A dropped socket just detaches; the PTY
///    waits for a reattach for the grace.
/// </summary>
internal static partial class TerminalSocket
{
    public const WebSocketCloseStatus Superseded = (WebSocketCloseStatus)4001;
    private const int OutputBufferBytes = 16 * 1024;
    private const int MaxTextFrameBytes = 4096;
    private static readonly TimeSpan ClosePatience = TimeSpan.FromSeconds(5);

    public static async Task ServeAsync(WebSocket socket, TerminalAttachment attachment, ILogger logger, CancellationToken requestAborted)
    {
        using var stopOutput = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, attachment.Superseded);
        using var stopInput = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        var output = PumpOutputAsync(socket, attachment, stopOutput.Token);
        var input = PumpInputAsync(socket, attachment, stopInput.Token);
        try
        {
            if (await Task.WhenAny(output, input) == input)
            {
                await stopOutput.CancelAsync();
                await Settle(output);
                if (socket.State == WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed", CancellationToken.None);
                return;
            }
            var (status, reason) = await output switch
            {
                Ending.Exited => (WebSocketCloseStatus.NormalClosure, "the shell exited"),
                Ending.Superseded => (Superseded, "attached elsewhere"),
                Ending.Gone => (WebSocketCloseStatus.InternalServerError, "the VM went away"),
                _ => ((WebSocketCloseStatus?)null, ""),
            };
            if (status is { } close && socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(close, reason, CancellationToken.None);
                await input.WaitAsync(ClosePatience, requestAborted); // the client's close frame
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            LogDropped(logger, attachment.Terminal.PtyId, e.Message);
        }
        finally
        {
            await stopInput.CancelAsync();
            await stopOutput.CancelAsync();
            await Settle(input);
            await Settle(output);
        }
    }

    private enum Ending
    {
        Exited,
        Superseded,
        Gone,
        Dropped,
    }

    private static async Task<Ending> PumpOutputAsync(WebSocket socket, TerminalAttachment attachment, CancellationToken cancellationToken)
    {
        var buffer = new byte[OutputBufferBytes];
        try
        {
            while (true)
            {
                var n = await attachment.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                    break;
                await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }
            await attachment.Terminal.Ended.WaitAsync(ClosePatience, cancellationToken);
            var exit = JsonSerializer.SerializeToUtf8Bytes(new TerminalExitMessage("exit", attachment.Terminal.ExitCode), TerminalSocketJsonContext.Default.TerminalExitMessage);
            await socket.SendAsync(exit, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            return Ending.Exited;
        }
        catch (OperationCanceledException) when (attachment.Superseded.IsCancellationRequested)
        {
            return Ending.Superseded;
        }
        catch (CapsuleException)
        {
            return Ending.Gone;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
            return Ending.Dropped;
        }
    }

    /// <summary>Returns when the client closes or the socket drops.</summary>
    private static async Task PumpInputAsync(WebSocket socket, TerminalAttachment attachment, CancellationToken cancellationToken)
    {
        var buffer = new byte[OutputBufferBytes];
        var text = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                switch (received.MessageType)
                {
                    case WebSocketMessageType.Close:
                        return;
                    case WebSocketMessageType.Binary:
                        if (attachment.Terminal.IsRunning)
                            await attachment.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken);
                        break;
                    default:
                        if (text.Length + received.Count <= MaxTextFrameBytes)
                            text.Write(buffer, 0, received.Count);
                        if (received.EndOfMessage)
                        {
                            await ControlAsync(text.ToArray(), attachment, cancellationToken);
                            text.SetLength(0);
                        }
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or CapsuleException)
        {
            // Dropped, stopped, or the VM went away (the output side reports that).
        }
    }

    /// <summary>A text frame: a resize, or anything else, which is ignored.</summary>
    private static async Task ControlAsync(byte[] json, TerminalAttachment attachment, CancellationToken cancellationToken)
    {
        TerminalControlMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(json, TerminalSocketJsonContext.Default.TerminalControlMessage);
        }
        catch (JsonException)
        {
            return;
        }
        if (message is { Type: "resize", Cols: >= 1 and <= TerminalShells.MaxDimension, Rows: >= 1 and <= TerminalShells.MaxDimension })
            await attachment.Terminal.ResizeAsync(message.Cols.Value, message.Rows.Value, cancellationToken);
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or CapsuleException)
        {
            // Already accounted for.
        }
    }

    [LoggerMessage(EventId = 810, Level = LogLevel.Information, Message = "PTY {PtyId}: the WebSocket dropped ({Reason})")]
    private static partial void LogDropped(ILogger logger, string ptyId, string reason);
}
