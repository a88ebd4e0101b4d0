using System.Net.Sockets;
using System.Security.Cryptography;
using Capsule.Agent.Protocol;
using Capsule.Vm.Sockets;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Agent;

/// <summary>
/// The host side of the guest agent protocol over the virtio-serial chardev socket (see docs/agent-protocol.md).
/// 1. Connect, then send <c>ping {id:0, nonce}</c> every 50 ms until the <c>pong</c> with that nonce; everything
///    read before it (stale pongs, output from an earlier connection) is dropped.
/// 2. One reader loop routes every later frame to the pending call with its id; frames for unknown ids are dropped
///    (and counted in <see cref="IgnoredFrames"/>). The guest is untrusted: frames are read strictly
///    (<see cref="FrameReaderOptions.Strict"/>) and checked against <see cref="GuestFrameRules"/>; a violation ends the
///    connection with a reason that says what the agent sent.
/// 3. Writes are whole frames through one <see cref="FrameWriter"/>. A caller's token never cuts a frame in half:
///    the caller stops waiting, the frame still goes out whole.
/// 4. When the connection breaks, every pending and later call fails with <see cref="MachineException"/>
///    (<see cref="MachineErrorCode.MachineGone"/>) carrying the first reason.
/// 5. <see cref="ProbeAsync"/> pings a live connection (the health probe, <see cref="AgentHealthProbe"/>).
/// </summary>
internal sealed partial class AgentConnection : IAsyncDisposable
{
    public static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Read-ahead of the reader: the frame magic is scanned byte by byte.</summary>
    private const int ReadBufferBytes = 64 * 1024;

    /// <summary>The most characters of the agent's version string kept.</summary>
    private const int MaxVersionChars = 64;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly FrameReader _reader;
    private readonly FrameWriter _writer;
    private readonly Dictionary<long, PendingCall> _pending = [];
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _lastId;
    private long _ignoredFrames;
    private string? _closedReason;
    private Task _readLoop = Task.CompletedTask;

    private AgentConnection(Socket socket, string name, ILogger logger, TimeProvider time)
    {
        _time = time;
        _lastFrameTimestamp = time.GetTimestamp();
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        // Only the reader goes through the buffer: BufferedStream would seek back over read-ahead data on a write.
        _reader = new FrameReader(new BufferedStream(_stream, ReadBufferBytes), FrameReaderOptions.Strict);
        _writer = new FrameWriter(_stream);
        _name = name;
        _logger = logger;
    }

    /// <summary>The version the agent reported in its pong.</summary>
    public string AgentVersion { get; private set; } = "";

    /// <summary>
    /// Completes with the reason once the connection is closed or broken, a lower-case clause that can stand alone
    /// (e.g. "the guest agent closed its connection").
    /// </summary>
    public Task<string> Closed => _closed.Task;

    /// <summary>Well-formed frames from the agent that answered no pending call (late replies to abandoned calls), dropped.</summary>
    public long IgnoredFrames => Interlocked.Read(ref _ignoredFrames);

    /// <summary>
    /// Connects (retrying until the socket exists) and completes the handshake.
    /// Only <paramref name="cancellationToken"/> bounds it: a guest still booting simply has not answered yet.
    /// </summary>
    /// <param name="name">Names this connection in logs and errors, e.g. the machine id.</param>
    /// <param name="time">Paces the connection attempts and handshake pings, and times <see cref="Silence"/> and <see cref="ProbeAsync"/>.</param>
    public static async Task<AgentConnection> ConnectAsync(string socketPath, string name, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = await UnixSocketConnector.ConnectAsync(socketPath, time, cancellationToken).ConfigureAwait(false);
        var connection = new AgentConnection(socket, name, logger, time);
        try
        {
            await connection.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lifetime.IsCancellationRequested)
            return;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        Break("the connection was closed by the host", null);
        await _readLoop.ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        // _writer and _lifetime stay undisposed: a write racing with dispose must fail on the socket, not on them.
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        // 32 random bytes: the agent also mixes the nonce into the guest's CRNG (restored clones must not share it).
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        using var pongSeen = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pinger = PingUntilAsync(nonce, pongSeen.Token, cancellationToken);
        try
        {
            while (true)
            {
                var frame = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new MachineException(MachineErrorCode.MachineGone, $"Agent {_name} closed the connection during the handshake.");
                if (GuestFrameRules.Violation(frame) is { } violation)
                    throw new FrameProtocolException(violation);
                if (frame.Header.Kind == MessageKind.Pong && frame.Header.Nonce == nonce)
                {
                    AgentVersion = GuestText.Clip(frame.Header.Version, MaxVersionChars);
                    break;
                }
            }
        }
        catch (FrameProtocolException e)
        {
            throw new MachineException(MachineErrorCode.MachineGone, $"Agent {_name} broke the protocol during the handshake: it sent {e.Violation}.", e);
        }
        finally
        {
            await pongSeen.CancelAsync().ConfigureAwait(false);
            try
            {
                await pinger.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
                // Stopped by the pong or the caller, or the socket broke: the read above reports what matters.
            }
        }
        LogConnected(_logger, _name, AgentVersion);
    }

    /// <param name="stop">Ends the loop between pings.</param>
    /// <param name="abort">Cuts a ping mid-write: only when the whole connection is being given up.</param>
    private async Task PingUntilAsync(string nonce, CancellationToken stop, CancellationToken abort)
    {
        var ping = new Frame(new AgentMessage { Kind = MessageKind.Ping, Id = 0, Nonce = nonce });
        while (!stop.IsCancellationRequested)
        {
            await _writer.WriteAsync(ping, abort).ConfigureAwait(false);
            await Task.Delay(PingInterval, _time, stop).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var frame = await _reader.ReadAsync(_lifetime.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    Break("the guest agent closed its connection", null);
                    return;
                }
                if (GuestFrameRules.Violation(frame) is { } violation)
                    throw new FrameProtocolException(violation);
                OnFrameRead();
                LogFrame(_logger, _name, frame.Header.Kind, frame.Header.Id, frame.Payload.Length);
                if (frame.Header.Kind == MessageKind.Pong)
                {
                    OnPong(frame.Header.Nonce);
                    continue;
                }
                PendingCall? call;
                lock (_pending)
                    _pending.TryGetValue(frame.Header.Id, out call);
                if (call is null)
                {
                    Interlocked.Increment(ref _ignoredFrames); // the answer to a call whose caller gave up
                    continue;
                }
                if (!call.Accepts(frame.Header.Kind))
                    throw new FrameProtocolException($"a frame of kind {frame.Header.Kind} in answer to {call.RequestKind} {frame.Header.Id}");
                // A call may hold the loop up (a download whose consumer is slow): that is the host's doing, and the
                // health probe does not count it against the agent.
                Volatile.Write(ref _delivering, true);
                bool last;
                try
                {
                    last = await call.OnFrameAsync(frame, _lifetime.Token).ConfigureAwait(false);
                }
                finally
                {
                    Volatile.Write(ref _delivering, false);
                }
                if (last)
                    Unregister(frame.Header.Id);
            }
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            Break("the connection was closed by the host", null);
        }
        catch (FrameProtocolException e)
        {
            Break($"the guest agent broke the protocol: it sent {e.Violation}", e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Break($"reading from the guest agent failed: {e.Message}", e);
        }
    }

    private long Register(PendingCall call)
    {
        var id = Interlocked.Increment(ref _lastId);
        lock (_pending)
        {
            if (_closedReason is not null)
                throw Gone(_closedReason, null);
            _pending.Add(id, call);
        }
        return id;
    }

    private void Unregister(long id)
    {
        lock (_pending)
            _pending.Remove(id);
    }

    /// <summary>
    /// Sends one frame. If <paramref name="cancellationToken"/> fires mid-write the caller stops waiting
    /// but the frame is still written whole, so the stream stays in sync.
    /// </summary>
    private Task SendAsync(Frame frame, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var write = WriteFrameAsync(frame);
        if (!cancellationToken.CanBeCanceled || write.IsCompleted)
            return write;
        _ = write.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return write.WaitAsync(cancellationToken);
    }

    private async Task WriteFrameAsync(Frame frame)
    {
        var reason = ClosedReasonOrNull();
        if (reason is not null)
            throw Gone(reason, null);
        try
        {
            await _writer.WriteAsync(frame, _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Break($"writing to the guest agent failed: {e.Message}", e);
            throw Gone(ClosedReasonOrNull()!, e);
        }
    }

    private string? ClosedReasonOrNull()
    {
        lock (_pending)
            return _closedReason;
    }

    private MachineException Gone(string reason, Exception? inner) =>
        new(MachineErrorCode.MachineGone, $"Agent connection {_name} is closed: {reason}.", inner);

    /// <summary>Closes the connection for good; runs once, keeps the first reason and fails every pending call.</summary>
    private void Break(string reason, Exception? exception)
    {
        List<PendingCall> failed;
        lock (_pending)
        {
            if (_closedReason is not null)
                return;
            _closedReason = reason;
            failed = [.. _pending.Values];
            _pending.Clear();
        }
        if (_lifetime.IsCancellationRequested)
            LogClosed(_logger, _name, reason);
        else
            LogBroken(_logger, exception, _name, reason);
        _socket.Dispose();
        var gone = Gone(reason, exception);
        foreach (var call in failed)
            call.Fail(gone);
        _closed.TrySetResult(reason);
    }
}
