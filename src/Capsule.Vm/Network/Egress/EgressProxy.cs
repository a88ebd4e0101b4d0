using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Network.Egress;

/// <summary>
/// The transparent proxy every guest connection to port 80 or 443 is DNATed to (docs/network.md §4). Per connection:
/// 1. the slot is found by the source address; any other source is closed at once;
/// 2. a slot whose rules allow nothing on this port is closed at once;
/// 3. the name is read from the first bytes (HTTP <c>Host</c>, TLS SNI) within <see cref="EgressProxyOptions.SniffTimeout"/>; none is a denial;
/// 4. the connection is tracked (so a policy change can close it), then checked against the slot's rules;
/// 5. the name is resolved by Capsule (<see cref="UpstreamDns"/>), never by the guest, and only addresses a guest may
///    reach are tried (so the address the guest dialled does not matter, and DNS rebinding gets nothing);
/// 6. the bytes read are sent on, then both directions are copied until either side ends or the policy closes it.
/// A denial closes the guest's connection without an answer, and is counted and logged (the name, never the content).
/// </summary>
internal sealed partial class EgressProxy : IAsyncDisposable
{
    private readonly EgressSlots _slots;
    private readonly UpstreamDns _upstream;
    private readonly AddressRules _addresses;
    private readonly EgressProxyOptions _options;
    private readonly ILogger _logger;
    private readonly TcpListener _http = new(IPAddress.Any, 0);
    private readonly TcpListener _tls = new(IPAddress.Any, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _running = [];
    private Task[] _acceptLoops = [];

    public EgressProxy(EgressSlots slots, UpstreamDns upstream, AddressRules addresses, EgressProxyOptions options, ILogger logger)
    {
        _slots = slots;
        _upstream = upstream;
        _addresses = addresses;
        _options = options;
        _logger = logger;
    }

    public int HttpPort => ((IPEndPoint)_http.LocalEndpoint).Port;

    public int TlsPort => ((IPEndPoint)_tls.LocalEndpoint).Port;

    public void Start()
    {
        _http.Start(512);
        _tls.Start(512);
        _acceptLoops = [AcceptLoopAsync(_http, ProxyKind.Http), AcceptLoopAsync(_tls, ProxyKind.Tls)];
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _http.Stop();
        _tls.Stop();
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        Task[] running;
        lock (_running)
            running = [.. _running];
        await Task.WhenAll(running).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener, ProxyKind kind)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket guest;
            try
            {
                guest = await listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // one failed accept (the guest reset meanwhile)
            }
            var task = HandleAsync(guest, kind);
            lock (_running)
                _running.Add(task);
            _ = task.ContinueWith(t =>
            {
                lock (_running)
                    _running.Remove(t);
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task HandleAsync(Socket guestSocket, ProxyKind kind)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        await using var guest = new NetworkStream(guestSocket, ownsSocket: true);
        var found = _slots.Find(((IPEndPoint)guestSocket.RemoteEndPoint!).Address);
        if (found is not { } slot)
            return;
        var rules = slot.Egress.Rules;
        if (!(kind == ProxyKind.Http ? rules.AnyHttp : rules.AnyHttps) && rules.Domains.Count == 0)
        {
            Deny(slot, kind, "-", "the policy allows nothing on this port");
            return;
        }
        ProxiedConnection? tracked = null;
        try
        {
            DestinationSniffer.Sniffed sniffed;
            using (var sniffing = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token))
            {
                sniffing.CancelAfter(_options.SniffTimeout);
                sniffed = await DestinationSniffer.ReadAsync(guest, kind, sniffing.Token).ConfigureAwait(false);
            }
            if (sniffed.Name is not { } name)
            {
                Deny(slot, kind, "-", kind == ProxyKind.Http ? "no Host header" : "no server name (SNI)");
                return;
            }
            tracked = new ProxiedConnection(kind, name, lifetime);
            slot.Egress.Track(tracked);
            if (!DomainPatterns.MayConnect(slot.Egress.Rules, kind, name))
            {
                Deny(slot, kind, name, "not allowed by the policy");
                return;
            }
            var (addresses, _) = await _upstream.ResolveAsync(name, lifetime.Token).ConfigureAwait(false);
            var permitted = addresses.Where(_addresses.Permits).ToList();
            if (permitted.Count == 0)
            {
                Deny(slot, kind, name, addresses.Count == 0 ? "the name does not resolve" : "it resolves only to addresses no guest may reach");
                return;
            }
            using var upstream = await ConnectAsync(permitted, kind == ProxyKind.Http ? 80 : 443, lifetime.Token).ConfigureAwait(false);
            if (upstream is null)
            {
                LogUnreachable(_logger, slot.Index, name);
                return;
            }
            await using var remote = new NetworkStream(upstream, ownsSocket: false);
            await remote.WriteAsync(sniffed.Buffer.AsMemory(0, sniffed.Length), lifetime.Token).ConfigureAwait(false);
            await SpliceAsync(guestSocket, guest, upstream, remote, lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The guest or the far end went away, the sniff timed out, the policy closed it, or the server stops.
        }
        catch (UpstreamDnsException e)
        {
            LogResolveFailed(_logger, slot.Index, e.Message);
        }
        finally
        {
            if (tracked is not null)
                slot.Egress.Untrack(tracked);
        }
    }

    private async Task<Socket?> ConnectAsync(List<IPAddress> addresses, int port, CancellationToken cancellationToken)
    {
        foreach (var address in addresses)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_options.ConnectTimeout);
            try
            {
                await socket.ConnectAsync(address, port, attempt.Token).ConfigureAwait(false);
                return socket;
            }
            catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                socket.Dispose();
            }
        }
        return null;
    }

    /// <summary>Copies both ways; when one side ends its sending, the other side's sending is shut down too, and both are awaited.</summary>
    private static async Task SpliceAsync(Socket guestSocket, Stream guest, Socket upstreamSocket, Stream upstream, CancellationToken cancellationToken)
    {
        var outbound = CopyThenShutdownAsync(guest, upstream, upstreamSocket, cancellationToken);
        var inbound = CopyThenShutdownAsync(upstream, guest, guestSocket, cancellationToken);
        await Task.WhenAll(outbound, inbound).ConfigureAwait(false);
    }

    private static async Task CopyThenShutdownAsync(Stream from, Stream to, Socket toSocket, CancellationToken cancellationToken)
    {
        await from.CopyToAsync(to, 64 * 1024, cancellationToken).ConfigureAwait(false);
        toSocket.Shutdown(SocketShutdown.Send);
    }

    private void Deny((int Index, SlotEgress Egress) slot, ProxyKind kind, string name, string reason)
    {
        slot.Egress.CountDeniedConnection();
        LogDenied(_logger, slot.Index, kind == ProxyKind.Http ? 80 : 443, name, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Egress: slot {Slot} was refused a connection to port {Port} for {Name}: {Reason}")]
    private static partial void LogDenied(ILogger logger, int slot, int port, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Egress: slot {Slot}: no address of {Name} answered")]
    private static partial void LogUnreachable(ILogger logger, int slot, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Egress: slot {Slot}: resolving failed: {Reason}")]
    private static partial void LogResolveFailed(ILogger logger, int slot, string reason);
}
