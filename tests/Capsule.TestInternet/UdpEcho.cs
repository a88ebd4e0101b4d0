using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Capsule.TestInternet;

/// <summary>UDP port 9999 on every server address answers each datagram with <c>server=&lt;name&gt; udp</c>.</summary>
internal sealed class UdpEcho : IDisposable
{
    public const int Port = 9999;

    private readonly List<UdpClient> _sockets = [];
    private readonly List<Task> _loops = [];

    public static UdpEcho Start(IReadOnlyDictionary<string, IPAddress> servers, CancellationToken cancellationToken)
    {
        var echo = new UdpEcho();
        foreach (var (name, address) in servers)
        {
            var socket = new UdpClient(new IPEndPoint(address, Port));
            echo._sockets.Add(socket);
            echo._loops.Add(EchoAsync(socket, Encoding.ASCII.GetBytes($"server={name} udp\n"), cancellationToken));
        }
        return echo;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
            socket.Dispose();
        Task.WaitAll([.. _loops], TimeSpan.FromSeconds(5));
    }

    private static async Task EchoAsync(UdpClient socket, byte[] answer, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var datagram = await socket.ReceiveAsync(cancellationToken);
                await socket.SendAsync(answer, datagram.RemoteEndPoint, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
