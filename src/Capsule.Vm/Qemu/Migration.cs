using System.Net.Sockets;
using System.Text.Json.Nodes;
using Capsule.Vm.Sockets;

namespace Capsule.Vm.Qemu;

/// <summary>
/// Pieces of the QMP migration commands that save and restore snapshots. The device state travels over a unix socket
/// in the machine's folder, pumped by the host to or from the state file: QEMU runs under <c>-sandbox spawn=deny</c>,
/// so it cannot run the <c>exec:cat</c> a file needs in QEMU 7.2 (which has no <c>file:</c> URI).
/// </summary>
internal static class Migration
{
    private const int CopyBufferBytes = 1024 * 1024;

    /// <summary>
    /// <c>x-ignore-shared</c>: RAM blocks mapped shared (the snapshot's RAM file at save time) are left out of the stream.
    /// A restore maps the same file privately; no pages arrive for it, so it keeps the file's content copy-on-write.
    /// </summary>
    public static JsonObject IgnoreShared() => new()
    {
        ["capabilities"] = new JsonArray(new JsonObject { ["capability"] = "x-ignore-shared", ["state"] = true }),
    };

    /// <summary>The QMP URI of a migration over <paramref name="socketPath"/>.</summary>
    public static JsonObject Uri(string socketPath) => new() { ["uri"] = $"unix:{socketPath}" };

    /// <summary>
    /// Feeds <paramref name="statePath"/> to a QEMU that listens on <paramref name="socketPath"/> after
    /// <c>migrate-incoming</c>, then closes the socket (QEMU reads to the stream's end marker).
    /// </summary>
    public static async Task SendStateAsync(string socketPath, string statePath, CancellationToken cancellationToken)
    {
        using var socket = await UnixSocketConnector.ConnectAsync(socketPath, cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var state = new FileStream(statePath, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, useAsync: true);
        await using (state.ConfigureAwait(false))
            await state.CopyToAsync(stream, CopyBufferBytes, cancellationToken).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>
    /// Listens on <paramref name="socketPath"/> for QEMU's outgoing migration (<c>migrate</c> to <see cref="Uri"/>):
    /// the returned task accepts one connection and writes everything QEMU sends to <paramref name="statePath"/> until it
    /// closes. The socket listens before this returns, so <c>migrate</c> can be issued next.
    /// </summary>
    public static Task ReceiveStateAsync(string socketPath, string statePath, CancellationToken cancellationToken)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(1);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return ReceiveAsync(listener, socketPath, statePath, cancellationToken);
    }

    private static async Task ReceiveAsync(Socket listener, string socketPath, string statePath, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var state = new FileStream(statePath, FileMode.Create, FileAccess.Write, FileShare.None, CopyBufferBytes, useAsync: true);
            await using (state.ConfigureAwait(false))
                await stream.CopyToAsync(state, CopyBufferBytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            listener.Dispose();
            File.Delete(socketPath);
        }
    }
}
