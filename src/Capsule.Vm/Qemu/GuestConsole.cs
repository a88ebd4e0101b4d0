using System.Net.Sockets;
using System.Text;
using Capsule.Vm.Sockets;

namespace Capsule.Vm.Qemu;

/// <summary>
/// The guest's serial console. QEMU serves it on a unix socket (a chardev); the host reads everything the guest
/// writes and keeps only the last <see cref="TailBytes"/> in a ring, so a guest that floods its console costs the host
/// neither disk nor memory. The tail explains a failed start or a kernel panic (<see cref="ConsolePanic"/>). Bytes the
/// guest writes before the host connects (the first milliseconds of a boot) are lost.
/// </summary>
internal sealed class GuestConsole : IAsyncDisposable
{
    /// <summary>How much of the console is kept: the last 16 KiB.</summary>
    public const int TailBytes = 16 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _ring = new byte[TailBytes];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private long _total;

    private GuestConsole(Socket socket, TimeProvider time)
    {
        _socket = socket;
        _time = time;
        Completion = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes when QEMU closed the console (it exited) or the console was disposed.</summary>
    public Task Completion { get; }

    /// <summary>Bytes the guest wrote to the console since the host connected.</summary>
    public long TotalBytes
    {
        get
        {
            lock (_gate)
                return _total;
        }
    }

    /// <summary>Connects to QEMU's console socket (retrying until it exists); only <paramref name="cancellationToken"/> bounds it.</summary>
    public static async Task<GuestConsole> ConnectAsync(string socketPath, TimeProvider time, CancellationToken cancellationToken) =>
        new(await UnixSocketConnector.ConnectAsync(socketPath, time, cancellationToken).ConfigureAwait(false), time);

    /// <summary>Up to <paramref name="lines"/> final non-empty lines of what the console kept.</summary>
    public string Tail(int lines)
    {
        byte[] bytes;
        lock (_gate)
        {
            var kept = (int)Math.Min(_total, TailBytes);
            bytes = new byte[kept];
            var start = (int)((_total - kept) % TailBytes);
            var first = Math.Min(kept, TailBytes - start);
            _ring.AsSpan(start, first).CopyTo(bytes);
            _ring.AsSpan(0, kept - first).CopyTo(bytes.AsSpan(first));
        }
        var text = Encoding.UTF8.GetString(bytes).Replace("\r", "", StringComparison.Ordinal);
        return string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
    }

    /// <summary>Waits, at most <paramref name="timeout"/>, until QEMU has closed the console (all it wrote is in).</summary>
    public Task WaitForEndAsync(TimeSpan timeout) => Task.WhenAny(Completion, Task.Delay(timeout, _time));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Completion.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            int count;
            while ((count = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false)) > 0)
                Append(buffer.AsSpan(0, count));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // QEMU went away or the console was disposed: what was read stays readable.
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (bytes.Length > TailBytes)
            {
                _total += bytes.Length - TailBytes;
                bytes = bytes[^TailBytes..];
            }
            var start = (int)(_total % TailBytes);
            var first = Math.Min(bytes.Length, TailBytes - start);
            bytes[..first].CopyTo(_ring.AsSpan(start));
            bytes[first..].CopyTo(_ring);
            _total += bytes.Length;
        }
    }
}
