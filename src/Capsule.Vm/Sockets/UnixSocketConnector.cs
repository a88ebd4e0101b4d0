using System.Net.Sockets;

namespace Capsule.Vm.Sockets;

/// <summary>Connects to a unix socket that a just-started process will create shortly.</summary>
internal static class UnixSocketConnector
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Retries until the socket accepts a connection; only <paramref name="cancellationToken"/> bounds it.</summary>
    public static Task<Socket> ConnectAsync(string path, CancellationToken cancellationToken) =>
        ConnectAsync(path, TimeProvider.System, cancellationToken);

    /// <summary>The same, with the pause between attempts on <paramref name="time"/>.</summary>
    public static async Task<Socket> ConnectAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        var endPoint = new UnixDomainSocketEndPoint(path);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (File.Exists(path))
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                    return socket;
                }
                catch (SocketException)
                {
                    // Created but not listening yet, or removed again: try once more after a pause.
                    socket.Dispose();
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
            await Task.Delay(RetryDelay, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
