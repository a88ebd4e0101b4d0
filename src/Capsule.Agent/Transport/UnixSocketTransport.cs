using System.Net.Sockets;

namespace Capsule.Agent.Transport;

/// <summary>
/// Test mode (<c>--listen PATH</c>): a unix socket that serves one host connection at a time; the
/// next one is accepted when the current one closes, like a host reconnecting to the virtio port.
/// </summary>
internal sealed class UnixSocketTransport : IAgentTransport, IDisposable
{
    private readonly Socket _listener;

    /// <summary>
    /// Binds and listens under a temporary name, then renames the socket into place, so a client
    /// that sees <paramref name="path"/> can connect at once (between bind and listen it would be refused).
    /// </summary>
    public UnixSocketTransport(string path)
    {
        var temp = path + ".binding";
        File.Delete(temp);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(temp));
        _listener.Listen(8);
        File.Move(temp, path, overwrite: true);
    }

    public async ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken)
    {
        var socket = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
        return new ReadBufferStream(new NetworkStream(socket, ownsSocket: true));
    }

    public void Dispose() => _listener.Dispose();
}
