using Capsule.Agent.Logging;
using Capsule.Agent.Native;
using Microsoft.Extensions.Logging;

namespace Capsule.Agent.Transport;

/// <summary>
/// The guest side of the agent channel: the virtio-serial port whose
/// <c>/sys/class/virtio-ports/vportNpM/name</c> is <see cref="PortName"/>, opened as <c>/dev/vportNpM</c>.
/// A connection is "the host has the QEMU chardev socket open": while it has not, poll reports
/// POLLHUP, and the transport sleeps 5 ms between polls (never spins, never gives up).
/// </summary>
internal sealed class VirtioPortTransport(ILogger logger) : IAgentTransport
{
    public const string PortName = "org.capsule.agent";
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(5);

    public async ValueTask<Stream> AcceptAsync(CancellationToken cancellationToken)
    {
        var device = await FindPortAsync(cancellationToken).ConfigureAwait(false);
        var fd = Fd.Open(device, Libc.O_RDWR | Libc.O_NONBLOCK);
        try
        {
            while (true)
            {
                var revents = Fd.PollOne(fd, Libc.POLLIN, 0);
                if ((revents & Libc.POLLHUP) == 0)
                    return new ReadBufferStream(new FdStream(fd));
                await Task.Delay(IdlePoll, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Fd.Close(fd);
            throw;
        }
    }

    private async ValueTask<string> FindPortAsync(CancellationToken cancellationToken)
    {
        var warned = false;
        while (true)
        {
            if (TryFindPort() is { } device)
                return device;
            if (!warned)
            {
                logger.PortNotFound(PortName);
                warned = true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? TryFindPort()
    {
        const string ports = "/sys/class/virtio-ports";
        if (!Directory.Exists(ports))
            return null;
        foreach (var dir in Directory.EnumerateDirectories(ports))
        {
            try
            {
                if (File.ReadAllText(Path.Join(dir, "name")).Trim() == PortName)
                    return "/dev/" + Path.GetFileName(dir);
            }
            catch (IOException)
            {
                // A port that disappears while we look is simply not ours.
            }
        }
        return null;
    }
}
