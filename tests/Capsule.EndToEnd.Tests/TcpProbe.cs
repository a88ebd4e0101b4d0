using System.Net.Sockets;

namespace Capsule.EndToEnd.Tests;

/// <summary>Whether this host can open a TCP connection, within a bound.</summary>
internal static class TcpProbe
{
    /// <summary>Null when <paramref name="host"/>:<paramref name="port"/> accepted within <paramref name="within"/>; else why not.</summary>
    public static async Task<string?> FailureAsync(string host, int port, TimeSpan within, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        try
        {
            await tcp.ConnectAsync(host, port, timeout.Token);
            return null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return e.GetType().Name;
        }
    }
}
