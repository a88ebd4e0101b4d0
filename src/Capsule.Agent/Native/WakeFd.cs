namespace Capsule.Agent.Native;

/// <summary>
/// An eventfd that a worker thread polls next to its pipes, so another thread (a cancel, the child
/// reaper) can wake it. <see cref="Set"/> is safe from any thread; <see cref="Consume"/> resets it.
/// </summary>
internal sealed unsafe class WakeFd : IDisposable
{
    private int _fd;

    public WakeFd()
    {
        _fd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (_fd < 0)
            throw Fd.Error("eventfd");
    }

    public int Handle => _fd;

    public void Set()
    {
        var one = 1UL;
        _ = Libc.write(_fd, (byte*)&one, sizeof(ulong));
    }

    public void Consume()
    {
        ulong value;
        _ = Libc.read(_fd, (byte*)&value, sizeof(ulong));
    }

    public void Dispose()
    {
        Fd.Close(_fd);
        _fd = -1;
    }
}
