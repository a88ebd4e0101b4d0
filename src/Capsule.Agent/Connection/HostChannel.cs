using Capsule.Agent.Logging;
using Capsule.Agent.Protocol;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Connection;

/// <summary>
/// The sending half of one host connection, shared by the dispatcher and the exec workers. A send to
/// a host that has gone away is dropped, not thrown: the connection's reader notices the end of
/// stream and tears down what was running for it.
/// </summary>
internal sealed class HostChannel(Stream stream, ILogger logger) : IDisposable
{
    private readonly FrameWriter _writer = new(stream);
    private volatile bool _closed;

    public bool IsClosed => _closed;

    public async ValueTask SendAsync(AgentMessage header, ReadOnlyMemory<byte> payload = default)
    {
        if (_closed)
            return;
        try
        {
            await _writer.WriteAsync(new Frame(header, payload), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            if (!_closed)
                logger.SendFailed(e);
            _closed = true;
        }
    }

    /// <summary>For worker threads: returns once the frame is written (or dropped).</summary>
    public void Send(AgentMessage header, ReadOnlyMemory<byte> payload = default)
    {
        var pending = SendAsync(header, payload);
        if (!pending.IsCompleted)
            pending.AsTask().GetAwaiter().GetResult();
    }

    public void Close() => _closed = true;

    public void Dispose()
    {
        _closed = true;
        _writer.Dispose();
    }
}
