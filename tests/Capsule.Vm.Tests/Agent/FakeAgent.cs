using System.Net.Sockets;
using Capsule.Agent.Protocol;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Agent;

/// <summary>The guest side of the agent protocol on a real unix socket, scripted by the test.</summary>
internal sealed class FakeAgent : IDisposable
{
    private readonly Socket _listener;

    public FakeAgent(string socketPath)
    {
        SocketPath = socketPath;
        _listener = UnixListener.Listen(socketPath);
    }

    public string SocketPath { get; }

    public async Task<Peer> AcceptAsync(CancellationToken cancellationToken) =>
        new(await _listener.AcceptAsync(cancellationToken));

    public void Dispose() => _listener.Dispose();

    internal sealed class Peer : IDisposable
    {
        private readonly NetworkStream _stream;
        private readonly FrameReader _reader;
        private readonly FrameWriter _writer;

        public Peer(Socket socket)
        {
            _stream = new NetworkStream(socket, ownsSocket: true);
            _reader = new FrameReader(_stream);
            _writer = new FrameWriter(_stream);
        }

        public async Task<Frame> ReadAsync(CancellationToken cancellationToken) =>
            await _reader.ReadAsync(cancellationToken) ?? throw new EndOfStreamException("The host closed the agent connection.");

        /// <summary>Reads frames until one of <paramref name="kind"/> (skipping the pings still in flight).</summary>
        public async Task<Frame> ReadKindAsync(string kind, CancellationToken cancellationToken)
        {
            while (true)
            {
                var frame = await ReadAsync(cancellationToken);
                if (frame.Header.Kind == kind)
                    return frame;
                if (frame.Header.Kind != MessageKind.Ping)
                    throw new InvalidOperationException($"Expected {kind}, got {frame.Header.Kind}.");
            }
        }

        public Task SendAsync(AgentMessage header, CancellationToken cancellationToken) =>
            _writer.WriteAsync(new Frame(header), cancellationToken).AsTask();

        public Task SendAsync(AgentMessage header, byte[] payload, CancellationToken cancellationToken) =>
            _writer.WriteAsync(new Frame(header, payload), cancellationToken).AsTask();

        /// <summary>Writes bytes as they are, frame or not (a hostile agent).</summary>
        public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(bytes, cancellationToken);
            await _stream.FlushAsync(cancellationToken);
        }

        /// <summary>Answers the first ping with a pong carrying its nonce.</summary>
        public async Task AnswerHandshakeAsync(string version, CancellationToken cancellationToken)
        {
            var ping = await ReadKindAsync(MessageKind.Ping, cancellationToken);
            await SendAsync(new AgentMessage { Kind = MessageKind.Pong, Nonce = ping.Header.Nonce, Version = version }, cancellationToken);
        }

        public void Dispose()
        {
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
