using System.Net.Sockets;

namespace Capsule.Vm.Tests.Support;

/// <summary>A listening unix socket, the server side the fakes play.</summary>
internal static class UnixListener
{
    public static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(4);
        return socket;
    }
}
