using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Capsule.Testing.Guests;

/// <summary>
/// The guest side of the agent socket, played by a test: the only part of a machine that is fake. It answers the
/// handshake like the agent, then behaves as <see cref="GuestBehaviour"/> says. Runs until the host hangs up.
/// </summary>
internal sealed class ScriptedGuest(Socket socket, GuestBehaviour behaviour)
{
    /// <summary>How much output <see cref="GuestBehaviour.FloodThenGarbage"/> sends before its garbage: 200 MiB.</summary>
    public const long FloodBytes = 200L * 1024 * 1024;

    private readonly NetworkStream _stream = new(socket, ownsSocket: true);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _handshakeDone;

    /// <summary>Completes once the flood is written in full (the host has read all but a socket buffer of it).</summary>
    public TaskCompletionSource Flooded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The flood waits for this before its garbage, so a test can look at the host while the flood is in.</summary>
    public TaskCompletionSource ReleaseGarbage { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Bytes written after the handshake.</summary>
    public long BytesSent { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await RawFrames.ReadAsync(_stream, cancellationToken) is var (header, _))
                await OnFrameAsync(header, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The host hung up (as it does on a hostile guest) or the test ended.
        }
        finally
        {
            await _stream.DisposeAsync();
        }
    }

    private async Task OnFrameAsync(JsonObject header, CancellationToken cancellationToken)
    {
        var kind = (string?)header["kind"];
        var id = (long?)header["id"] ?? 0;
        if (kind == "ping")
        {
            if (_handshakeDone && behaviour == GuestBehaviour.Silent)
                return;
            _handshakeDone = true;
            await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "pong", ["id"] = 0, ["nonce"] = (string?)header["nonce"], ["version"] = "scripted" }), cancellationToken);
            return;
        }
        if (behaviour == GuestBehaviour.Silent)
            return;
        switch (kind)
        {
            case "exec":
                _ = Task.Run(() => ExecAsync(id, (string?)header["code"] ?? "", cancellationToken), CancellationToken.None);
                break;
            case "set_env" or "stats" when behaviour == GuestBehaviour.RefusesStatsAndEnv:
                await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "error", ["id"] = id, ["error_code"] = "io", ["message"] = "cannot read /proc" }), cancellationToken);
                break;
            case "set_env":
                await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "ok", ["id"] = id }), cancellationToken);
                break;
            case "stats":
                await SendAsync(RawFrames.Encode(new JsonObject
                {
                    ["kind"] = "stats_result",
                    ["id"] = id,
                    ["stats"] = new JsonObject { ["mem_total_kb"] = 1024 * 1024, ["mem_available_kb"] = 512 * 1024, ["processes"] = 3 },
                }), cancellationToken);
                break;
            case "cancel":
                await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "ok", ["id"] = id }), cancellationToken);
                break;
        }
    }

    private async Task ExecAsync(long id, string code, CancellationToken cancellationToken)
    {
        try
        {
            switch (behaviour)
            {
                case GuestBehaviour.WrongKindReply:
                    await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "stats_result", ["id"] = id }), cancellationToken);
                    break;
                case GuestBehaviour.WellBehaved or GuestBehaviour.RefusesStatsAndEnv:
                    await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "output", ["id"] = id, ["stream"] = "stdout" }, Encoding.UTF8.GetBytes(code + "\n")), cancellationToken);
                    await SendAsync(RawFrames.Encode(new JsonObject { ["kind"] = "exit", ["id"] = id, ["exit_code"] = 0, ["wall_ms"] = 1.5, ["cpu_ms"] = 0.5 }), cancellationToken);
                    break;
                case GuestBehaviour.FloodThenGarbage:
                    await FloodAsync(id, cancellationToken);
                    break;
                case GuestBehaviour.OversizedFrame:
                    await SendAsync(RawFrames.Prefix(int.MaxValue, 0), cancellationToken);
                    break;
                case GuestBehaviour.MalformedFrame:
                    await SendAsync(RawFrames.EncodeRawHeader("{\"kind\": \"exit\", \"id\": "u8.ToArray()), cancellationToken);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The host hung up.
        }
    }

    private async Task FloodAsync(long id, CancellationToken cancellationToken)
    {
        var chunk = new byte[1024 * 1024];
        chunk.AsSpan().Fill((byte)'y');
        var frame = RawFrames.Encode(new JsonObject { ["kind"] = "output", ["id"] = id, ["stream"] = "stdout" }, chunk);
        for (long sent = 0; sent < FloodBytes; sent += chunk.Length)
            await SendAsync(frame, cancellationToken);
        Flooded.TrySetResult();
        await ReleaseGarbage.Task.WaitAsync(cancellationToken);
        var garbage = Encoding.ASCII.GetBytes(new string('g', 64 * 1024));
        while (true)
            await SendAsync(garbage, cancellationToken);
    }

    private async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            BytesSent += _handshakeDone ? bytes.Length : 0;
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
