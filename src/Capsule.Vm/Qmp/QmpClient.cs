using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Capsule.Vm.Sockets;
using Microsoft.Extensions.Logging;

namespace Capsule.Vm.Qmp;

/// <summary>
/// A QEMU Machine Protocol client over a unix socket.
/// 1. Connect, read the greeting <c>{"QMP": ...}</c>, send <c>qmp_capabilities</c>.
/// 2. Each command carries an id; its reply (<c>return</c> or <c>error</c>) completes the pending call with that id,
///    in whatever order replies come. One reader loop reads every line.
/// 3. Lines with <c>event</c> go to <see cref="Events"/>.
/// 4. When the connection breaks, every pending call fails with <see cref="QmpConnectionClosedException"/>
///    carrying the first reason; later calls fail the same way.
/// </summary>
internal sealed partial class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<long, PendingCommand> _pending = [];
    private readonly Channel<QmpEvent> _events =
        Channel.CreateBounded<QmpEvent>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _disposed = new();
    private readonly ILogger _logger;
    private readonly string _name;
    private long _nextId;
    private string? _closedReason;
    private bool _quitSent;
    private Task _readLoop = Task.CompletedTask;

    private QmpClient(Socket socket, string name, ILogger logger)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, new UTF8Encoding(false));
        _name = name;
        _logger = logger;
    }

    /// <summary>Events in arrival order. Completes when the connection closes. Old events are dropped if nobody reads.</summary>
    public ChannelReader<QmpEvent> Events => _events.Reader;

    /// <summary>Why the connection closed, or null while it is open.</summary>
    public string? ClosedReason
    {
        get
        {
            lock (_pending)
                return _closedReason;
        }
    }

    /// <summary>Connects (retrying until the socket exists), reads the greeting and negotiates capabilities.</summary>
    /// <param name="name">Names this connection in logs and errors, e.g. the machine id.</param>
    /// <param name="time">Paces the connection attempts.</param>
    public static async Task<QmpClient> ConnectAsync(string socketPath, string name, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var socket = await UnixSocketConnector.ConnectAsync(socketPath, time, cancellationToken).ConfigureAwait(false);
        var client = new QmpClient(socket, name, logger);
        try
        {
            await client.HandshakeAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs one command and returns its <c>return</c> value.
    /// Throws <see cref="QmpException"/> for an error reply and <see cref="QmpConnectionClosedException"/> when the connection is gone.
    /// </summary>
    public async Task<JsonElement> ExecuteAsync(string command, JsonObject? arguments, CancellationToken cancellationToken)
    {
        var pending = new PendingCommand(command);
        long id;
        lock (_pending)
        {
            if (_closedReason is not null)
                throw new QmpConnectionClosedException(_closedReason);
            id = _nextId++;
            _pending.Add(id, pending);
            if (command == "quit")
                _quitSent = true;
        }

        var message = new JsonObject { ["execute"] = command, ["id"] = id };
        if (arguments is not null)
            message["arguments"] = arguments.DeepClone();
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString() + "\n");
        try
        {
            await WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            return await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_pending)
                _pending.Remove(id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
            return;
        await _disposed.CancelAsync().ConfigureAwait(false);
        Break("QMP client disposed", null);
        _socket.Dispose();
        await _readLoop.ConfigureAwait(false);
        _reader.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        // _writeGate stays undisposed: a writer racing with dispose must fail on the socket, not on the gate.
        _disposed.Dispose();
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        var greeting = await _reader.ReadLineAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new QmpConnectionClosedException($"QMP {_name} closed before its greeting");
        using (var document = JsonDocument.Parse(greeting))
        {
            if (!document.RootElement.TryGetProperty("QMP", out _))
                throw new InvalidDataException($"QMP {_name} greeting is not a QMP greeting: {greeting}");
        }
        _readLoop = Task.Run(ReadLoopAsync, CancellationToken.None);
        await ExecuteAsync("qmp_capabilities", null, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Break($"QMP {_name} write failed: {e.Message}", e);
            throw new QmpConnectionClosedException(ClosedReason!, e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var line = await _reader.ReadLineAsync(_disposed.Token).ConfigureAwait(false);
                if (line is null)
                {
                    Break($"QMP {_name} closed by QEMU", null);
                    return;
                }
                if (line.Length > 0)
                    Dispatch(line);
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            Break("QMP client disposed", null);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or JsonException)
        {
            Break($"QMP {_name} read failed: {e.Message}", e);
        }
    }

    private void Dispatch(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.TryGetProperty("event", out var eventName))
        {
            var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
            _events.Writer.TryWrite(new QmpEvent(eventName.GetString() ?? "", data, ReadTimestamp(root)));
            return;
        }
        if (!root.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id))
        {
            LogUnmatchedReply(_logger, _name, line);
            return;
        }
        PendingCommand? pending;
        lock (_pending)
            _pending.TryGetValue(id, out pending);
        if (pending is null)
            return; // The caller gave up (cancelled) before the reply came.
        if (root.TryGetProperty("error", out var error))
        {
            var errorClass = error.TryGetProperty("class", out var c) ? c.GetString() ?? "" : "";
            var description = error.TryGetProperty("desc", out var desc) ? desc.GetString() ?? "" : "";
            pending.Completion.TrySetException(new QmpException(pending.Command, errorClass, description));
        }
        else
        {
            var result = root.TryGetProperty("return", out var r) ? r.Clone() : default;
            pending.Completion.TrySetResult(result);
        }
    }

    private static DateTimeOffset ReadTimestamp(JsonElement root)
    {
        if (!root.TryGetProperty("timestamp", out var ts)
            || !ts.TryGetProperty("seconds", out var s) || !s.TryGetInt64(out var seconds))
            return DateTimeOffset.UtcNow;
        var micros = ts.TryGetProperty("microseconds", out var m) && m.TryGetInt64(out var us) ? us : 0;
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(micros * 10);
    }

    /// <summary>Closes the client for good; runs once and keeps the first reason.</summary>
    private void Break(string reason, Exception? exception)
    {
        List<PendingCommand> failed;
        bool expected;
        lock (_pending)
        {
            if (_closedReason is not null)
                return;
            _closedReason = reason;
            failed = [.. _pending.Values];
            _pending.Clear();
            expected = _quitSent || _disposed.IsCancellationRequested;
        }
        if (expected)
            LogClosed(_logger, _name, reason);
        else
            LogBroken(_logger, exception, _name, reason);
        _events.Writer.TryComplete();
        foreach (var pending in failed)
            pending.Completion.TrySetException(new QmpConnectionClosedException(reason, exception));
    }

    private sealed class PendingCommand(string command)
    {
        public string Command { get; } = command;
        public TaskCompletionSource<JsonElement> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
