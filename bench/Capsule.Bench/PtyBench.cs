using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Capsule.Bench;

/// <summary>
/// Keystroke echo on a PTY of a warm session, as a terminal client sees it:
/// 1. POST a PTY (wide enough that the typed line never wraps) and attach its WebSocket with X-API-Key.
/// 2. Wait for the shell's prompt: output that ends in <c>#</c> or <c>$</c>, then quiet.
/// 3. Per sample: send one letter as a binary frame, time until a binary frame with that byte comes back.
/// The PTY is deleted after (which kills its shell); the session is left to the caller.
/// </summary>
internal static class PtyBench
{
    private const byte Key = (byte)'a';
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan PromptTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan EchoTimeout = TimeSpan.FromSeconds(10);

    public static async Task<Stats> KeystrokeEchoAsync(BenchServer server, string sessionId, int samples, CancellationToken cancellationToken)
    {
        var ptys = $"/v1/sessions/{Uri.EscapeDataString(sessionId)}/pty/sessions";
        var pty = await server.PostAsync(ptys, new JsonObject { ["cols"] = 250, ["rows"] = 40 }, cancellationToken);
        var ptyPath = $"{ptys}/{Uri.EscapeDataString(pty["pty_id"]!.GetValue<string>())}";
        try
        {
            using var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("X-API-Key", server.ApiKey);
            var attach = new UriBuilder(new Uri(server.Url, ptyPath + "/attach")) { Scheme = "ws" }.Uri;
            await socket.ConnectAsync(attach, cancellationToken);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var output = Channel.CreateUnbounded<byte[]>();
            var reader = ReadLoopAsync(socket, output.Writer, stop.Token);
            await WaitForPromptAsync(output.Reader, cancellationToken);
            var times = new List<double>();
            for (var i = 0; i < samples + 3; i++)
            {
                var ms = await EchoOnceAsync(socket, output.Reader, cancellationToken);
                if (i >= 3) // the first few warm the path
                    times.Add(ms);
            }
            await stop.CancelAsync();
            await reader;
            return Stats.Of(times);
        }
        finally
        {
            await server.DeleteAsync(ptyPath, cancellationToken);
        }
    }

    private static async Task<double> EchoOnceAsync(ClientWebSocket socket, ChannelReader<byte[]> output, CancellationToken cancellationToken)
    {
        while (output.TryRead(out _))
        {
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(EchoTimeout);
        var start = Stopwatch.GetTimestamp();
        await socket.SendAsync(new[] { Key }, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
        try
        {
            while (Array.IndexOf(await output.ReadAsync(timeout.Token), Key) < 0)
            {
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"pty: no echo within {EchoTimeout.TotalSeconds} s");
        }
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>Output until it ends in a prompt sign and then stays quiet; or, at worst, any output and then quiet.</summary>
    private static async Task WaitForPromptAsync(ChannelReader<byte[]> output, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var deadline = Stopwatch.GetTimestamp() + (long)(PromptTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(Quiet);
            try
            {
                text.Append(Encoding.UTF8.GetString(await output.ReadAsync(quiet.Token)));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var shown = text.ToString().TrimEnd();
                if (shown.EndsWith('#') || shown.EndsWith('$'))
                    return;
            }
        }
        if (text.Length == 0)
            throw new InvalidOperationException($"pty: no output within {PromptTimeout.TotalSeconds} s");
        Progress.Say($"pty: no prompt sign seen; measuring anyway (output ends {text.ToString()[^Math.Min(40, text.Length)..]})");
    }

    /// <summary>Every binary frame to <paramref name="output"/>, until the socket closes or <paramref name="stop"/>.</summary>
    private static async Task ReadLoopAsync(ClientWebSocket socket, ChannelWriter<byte[]> output, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var received = await socket.ReceiveAsync(buffer.AsMemory(), stop);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                if (received.MessageType == WebSocketMessageType.Binary && received.Count > 0)
                    output.TryWrite(buffer[..received.Count]);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Stopped, or the socket went away: the echo wait times out and says so.
        }
        output.TryComplete();
    }
}
