using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Qmp;

/// <summary>A scripted QMP server on a real unix socket: the test decides every line it sends.</summary>
internal sealed class FakeQmpServer : IDisposable
{
    public const string Greeting = """{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "fake"}, "capabilities": []}}""";

    private readonly Socket _listener;

    public FakeQmpServer(string socketPath)
    {
        SocketPath = socketPath;
        _listener = UnixListener.Listen(socketPath);
    }

    public string SocketPath { get; }

    /// <summary>Accepts the client and sends the greeting.</summary>
    public async Task<Peer> AcceptAsync(CancellationToken cancellationToken)
    {
        var socket = await _listener.AcceptAsync(cancellationToken);
        var peer = new Peer(socket);
        await peer.SendLineAsync(Greeting, cancellationToken);
        return peer;
    }

    public void Dispose() => _listener.Dispose();

    internal sealed class Peer(Socket socket) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly StreamReader _reader = new(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);

        /// <summary>Reads the next command the client sent.</summary>
        public async Task<(string Execute, long Id, JsonElement Arguments)> ReadCommandAsync(CancellationToken cancellationToken)
        {
            var line = await _reader.ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("The QMP client closed.");
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            var arguments = root.TryGetProperty("arguments", out var a) ? a.Clone() : default;
            return (root.GetProperty("execute").GetString()!, root.GetProperty("id").GetInt64(), arguments);
        }

        public Task ReturnAsync(long id, string returnJson, CancellationToken cancellationToken) =>
            SendLineAsync($$"""{"return": {{returnJson}}, "id": {{id}}}""", cancellationToken);

        public Task ErrorAsync(long id, string errorClass, string description, CancellationToken cancellationToken) =>
            SendLineAsync($$"""{"error": {"class": "{{errorClass}}", "desc": "{{description}}"}, "id": {{id}}}""", cancellationToken);

        public Task EventAsync(string name, string dataJson, CancellationToken cancellationToken) =>
            SendLineAsync($$"""{"timestamp": {"seconds": 1700000000, "microseconds": 250}, "event": "{{name}}", "data": {{dataJson}}}""", cancellationToken);

        /// <summary>Answers the client's qmp_capabilities.</summary>
        public async Task NegotiateAsync(CancellationToken cancellationToken)
        {
            var (execute, id, _) = await ReadCommandAsync(cancellationToken);
            if (execute != "qmp_capabilities")
                throw new InvalidOperationException($"Expected qmp_capabilities, got {execute}.");
            await ReturnAsync(id, "{}", cancellationToken);
        }

        public async Task SendLineAsync(string line, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
        }

        public void Dispose()
        {
            _reader.Dispose();
            _stream.Dispose();
        }
    }
}
