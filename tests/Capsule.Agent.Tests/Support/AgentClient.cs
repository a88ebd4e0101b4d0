using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Capsule.Agent.Protocol;

namespace Capsule.Agent.Tests.Support;

/// <summary>
/// A test host for the agent: a unix-socket connection, the ping/pong handshake, and one reader
/// loop that routes frames to the request that owns their id (frames for unknown ids are dropped,
/// as a real host drops stale output).
/// </summary>
internal sealed class AgentClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly FrameWriter _writer;
    private readonly ConcurrentDictionary<long, Channel<Frame>> _routes = new();
    private readonly Task _readLoop;
    private long _nextId = 100;

    private AgentClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _writer = new FrameWriter(_stream);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Connects without the handshake.</summary>
    public static async Task<AgentClient> ConnectRawAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), TestTimeouts.Token).AsTask().Bounded();
        return new AgentClient(socket);
    }

    public static async Task<AgentClient> ConnectAsync(string socketPath)
    {
        var client = await ConnectRawAsync(socketPath);
        await client.HandshakeAsync();
        return client;
    }

    public long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Pings every 50 ms with a fresh nonce until the pong that echoes it arrives; returns the pong.</summary>
    public async Task<AgentMessage> HandshakeAsync()
    {
        var nonce = Guid.NewGuid().ToString("N");
        var pongs = Subscribe(0);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestTimeouts.Token);
            deadline.CancelAfter(TestTimeouts.Start);
            while (true)
            {
                await SendAsync(new AgentMessage { Kind = MessageKind.Ping, Id = 0, Nonce = nonce });
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                tick.CancelAfter(TimeSpan.FromMilliseconds(50));
                try
                {
                    while (true)
                    {
                        var frame = await pongs.Reader.ReadAsync(tick.Token);
                        if (frame.Header.Kind == MessageKind.Pong && frame.Header.Nonce == nonce)
                            return frame.Header;
                    }
                }
                catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
                {
                    // No pong yet: ping again.
                }
            }
        }
        finally
        {
            Unsubscribe(0);
        }
    }

    public async Task<ExecOutcome> ExecAsync(string language, string code, int? timeoutMs = null, long? outputLimitBytes = null)
    {
        var (_, outcome) = await StartExecAsync(language, code, timeoutMs, outputLimitBytes: outputLimitBytes);
        return await outcome.Bounded();
    }

    /// <summary>Sends an exec and returns its id and a task for its outcome, for tests that act while it runs.</summary>
    public async Task<(long Id, Task<ExecOutcome> Outcome)> StartExecAsync(
        string language, string code, int? timeoutMs = null, Action<string, string>? onOutput = null, long? outputLimitBytes = null)
    {
        var id = NextId();
        var frames = Subscribe(id);
        await SendAsync(new AgentMessage
        {
            Kind = MessageKind.Exec,
            Id = id,
            Language = language,
            Code = code,
            TimeoutMs = timeoutMs,
            OutputLimitBytes = outputLimitBytes,
        });
        return (id, CollectAsync(id, frames, onOutput));
    }

    /// <summary>Sends <c>pty_open</c>; returns its first reply and the PTY (whose frames stay routed to it).</summary>
    public async Task<(AgentMessage Reply, TestPty Pty)> OpenPtyAsync(int cols = 80, int rows = 24, string? shell = null, long creditBytes = 64 * 1024)
    {
        var id = NextId();
        var frames = Subscribe(id);
        await SendAsync(new AgentMessage { Kind = MessageKind.PtyOpen, Id = id, Cols = cols, Rows = rows, Shell = shell, CreditBytes = creditBytes });
        var reply = (await frames.Reader.ReadAsync(TestTimeouts.Token).AsTask().Bounded()).Header;
        return (reply, new TestPty(this, id, frames.Reader));
    }

    /// <summary>Sends a request and returns its first reply.</summary>
    public async Task<AgentMessage> RequestAsync(AgentMessage request)
    {
        var frames = Subscribe(request.Id);
        try
        {
            await SendAsync(request);
            return (await frames.Reader.ReadAsync(TestTimeouts.Token).AsTask().Bounded()).Header;
        }
        finally
        {
            Unsubscribe(request.Id);
        }
    }

    public Task<AgentMessage> SetEnvAsync(Dictionary<string, string> env) =>
        RequestAsync(new AgentMessage { Kind = MessageKind.SetEnv, Id = NextId(), Env = env });

    /// <summary>write_file, file_data chunks of <paramref name="chunkBytes"/>, file_end; returns the reply.</summary>
    public async Task<AgentMessage> WriteFileAsync(string path, Stream content, int? mode = null, int chunkBytes = 256 * 1024)
    {
        var id = NextId();
        var frames = Subscribe(id);
        try
        {
            await SendAsync(new AgentMessage { Kind = MessageKind.WriteFile, Id = id, Path = path, Mode = mode });
            var buffer = new byte[chunkBytes];
            int n;
            while ((n = await content.ReadAsync(buffer, TestTimeouts.Token)) > 0)
                await SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, buffer.AsMemory(0, n));
            await SendAsync(new AgentMessage { Kind = MessageKind.FileEnd, Id = id });
            return (await frames.Reader.ReadAsync(TestTimeouts.Token).AsTask().Bounded()).Header;
        }
        finally
        {
            Unsubscribe(id);
        }
    }

    /// <summary>read_file into <paramref name="destination"/>; returns the closing frame (file_end or error) and the chunk count.</summary>
    public async Task<(AgentMessage Final, int Chunks)> ReadFileAsync(string path, Stream destination)
    {
        var id = NextId();
        var frames = Subscribe(id);
        try
        {
            await SendAsync(new AgentMessage { Kind = MessageKind.ReadFile, Id = id, Path = path });
            var chunks = 0;
            while (true)
            {
                var frame = await frames.Reader.ReadAsync(TestTimeouts.Token).AsTask().Bounded();
                if (frame.Header.Kind != MessageKind.FileData)
                    return (frame.Header, chunks);
                chunks++;
                Assert.True(frame.Payload.Length <= 256 * 1024, $"file_data payload of {frame.Payload.Length} bytes");
                await destination.WriteAsync(frame.Payload, TestTimeouts.Token);
            }
        }
        finally
        {
            Unsubscribe(id);
        }
    }

    public Task SendAsync(AgentMessage header, ReadOnlyMemory<byte> payload = default) =>
        _writer.WriteAsync(new Frame(header, payload), TestTimeouts.Token).AsTask().Bounded();

    public Task SendRawAsync(byte[] bytes) =>
        _stream.WriteAsync(bytes, TestTimeouts.Token).AsTask().Bounded();

    public async ValueTask DisposeAsync()
    {
        _socket.Shutdown(SocketShutdown.Both);
        await _stream.DisposeAsync();
        await _readLoop.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        _writer.Dispose();
    }

    private Channel<Frame> Subscribe(long id)
    {
        var channel = Channel.CreateUnbounded<Frame>();
        Assert.True(_routes.TryAdd(id, channel), $"id {id} is already awaited");
        return channel;
    }

    private void Unsubscribe(long id) => _routes.TryRemove(id, out _);

    private async Task<ExecOutcome> CollectAsync(long id, Channel<Frame> frames, Action<string, string>? onOutput)
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        try
        {
            while (true)
            {
                var frame = await frames.Reader.ReadAsync(TestTimeouts.Token);
                var header = frame.Header;
                switch (header.Kind)
                {
                    case MessageKind.Output:
                        var target = header.Stream == OutputStream.Stdout ? stdout : stderr;
                        target.Write(frame.Payload.Span);
                        onOutput?.Invoke(header.Stream!, Encoding.UTF8.GetString(target.ToArray()));
                        break;
                    case MessageKind.Exit:
                        return new ExecOutcome(
                            Encoding.UTF8.GetString(stdout.ToArray()), Encoding.UTF8.GetString(stderr.ToArray()),
                            header.ExitCode ?? -1, header.TimedOut ?? false, header.WallMs ?? -1, header.CpuMs ?? -1)
                        {
                            Truncated = header.Truncated ?? false,
                            OomKilled = header.OomKilled ?? false,
                            StdoutBytes = stdout.Length,
                            StderrBytes = stderr.Length,
                        };
                    default:
                        throw new InvalidOperationException($"Unexpected {header.Kind} for exec {id}: {header.ErrorCode} {header.Message}");
                }
            }
        }
        finally
        {
            Unsubscribe(id);
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = new FrameReader(_stream);
        try
        {
            while (await reader.ReadAsync(CancellationToken.None) is { } frame)
            {
                if (_routes.TryGetValue(frame.Header.Id, out var channel))
                    channel.Writer.TryWrite(frame);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // The test closed the connection.
        }
        foreach (var channel in _routes.Values)
            channel.Writer.TryComplete();
    }
}
