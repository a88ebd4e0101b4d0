namespace Capsule.Agent.Transport;

/// <summary>Where host connections come from: the virtio-serial port in a guest, a unix socket in tests.</summary>
internal interface IAgentTransport
{
    /// <summary>Waits for the next host connection. The caller disposes the stream when the host goes away.</summary>
    ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken);
}
