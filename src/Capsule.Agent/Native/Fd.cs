using System.Runtime.InteropServices;
using System.Text;

namespace Capsule.Agent.Native;

/// <summary>Small wrappers over raw file descriptors; errors become <see cref="IOException"/> with the errno.</summary>
internal static unsafe class Fd
{
    /// <summary>Returned by <see cref="TryRead"/> when a non-blocking fd has nothing to read.</summary>
    public const int WouldBlock = -1;

    public static int Open(string path, int flags)
    {
        var bytes = NullTerminated(path);
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = Libc.open(p, flags | Libc.O_CLOEXEC, 0);
                if (fd >= 0)
                    return MoveHigh(fd);
                if (Libc.LastError != Libc.EINTR)
                    throw Error($"open {path}");
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> (mode 0600) if it does not exist yet; false if it does. The create is atomic
    /// (O_EXCL), so of several processes racing for one path exactly one gets true.
    /// </summary>
    public static bool TryCreateExclusive(string path)
    {
        var bytes = NullTerminated(path);
        fixed (byte* p = bytes)
        {
            while (true)
            {
                var fd = Libc.open(p, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, 0b110_000_000);
                if (fd >= 0)
                {
                    Close(fd);
                    return true;
                }
                var errno = Libc.LastError;
                if (errno == Libc.EEXIST)
                    return false;
                if (errno != Libc.EINTR)
                    throw Error($"open {path}", errno);
            }
        }
    }

    /// <summary>Makes a named pipe (mode 0600) at <paramref name="path"/>.</summary>
    public static void MakeFifo(string path)
    {
        var bytes = NullTerminated(path);
        fixed (byte* p = bytes)
        {
            if (Libc.mkfifo(p, 0b110_000_000) != 0)
                throw Error($"mkfifo {path}");
        }
    }

    /// <summary>
    /// A pipe whose two ends are close-on-exec (a child gets an end only through dup2) and numbered 10
    /// or above, so they never collide with the low fd numbers a child is given.
    /// </summary>
    public static (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
            throw Error("pipe2");
        return (MoveHigh(fds[0]), MoveHigh(fds[1]));
    }

    public static void SetNonBlocking(int fd)
    {
        var flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) < 0)
            throw Error("fcntl O_NONBLOCK");
    }

    /// <summary>Moves an fd to 10 or above (keeping close-on-exec).</summary>
    public static int MoveHigh(int fd)
    {
        if (fd >= 10)
            return fd;
        var high = Libc.fcntl(fd, Libc.F_DUPFD_CLOEXEC, 10);
        if (high < 0)
            throw Error("fcntl F_DUPFD_CLOEXEC");
        Close(fd);
        return high;
    }

    public static void Close(int fd)
    {
        if (fd >= 0)
            _ = Libc.close(fd);
    }

    /// <summary>One read: the byte count (0 at end of file), or <see cref="WouldBlock"/>.</summary>
    public static int TryRead(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.read(fd, p, buffer.Length);
                if (n >= 0)
                    return (int)n;
                var errno = Libc.LastError;
                if (errno == Libc.EINTR)
                    continue;
                if (errno == Libc.EAGAIN)
                    return WouldBlock;
                throw Error("read", errno);
            }
        }
    }

    /// <summary>One write to a non-blocking fd: the byte count, or 0 when it has no room.</summary>
    public static int TryWrite(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            while (true)
            {
                var n = Libc.write(fd, p, data.Length);
                if (n >= 0)
                    return (int)n;
                var errno = Libc.LastError;
                if (errno == Libc.EINTR)
                    continue;
                if (errno == Libc.EAGAIN)
                    return 0;
                throw Error("write", errno);
            }
        }
    }

    /// <summary>Writes every byte, waiting for room when the fd is non-blocking.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var p = start;
            var left = data.Length;
            while (left > 0)
            {
                var n = Libc.write(fd, p, left);
                if (n > 0)
                {
                    p += n;
                    left -= (int)n;
                    continue;
                }
                var errno = Libc.LastError;
                if (errno == Libc.EINTR)
                    continue;
                if (errno != Libc.EAGAIN)
                    throw Error("write", errno);
                var revents = PollOne(fd, Libc.POLLOUT, -1);
                if ((revents & (Libc.POLLERR | Libc.POLLHUP | Libc.POLLNVAL)) != 0 && (revents & Libc.POLLOUT) == 0)
                    throw new IOException("The other end of the descriptor is closed.");
            }
        }
    }

    /// <summary>Polls one fd; returns its revents (0 on timeout).</summary>
    public static short PollOne(int fd, short events, int timeoutMs)
    {
        var pfd = new Libc.PollFd { Fd = fd, Events = events };
        Poll(new Span<Libc.PollFd>(&pfd, 1), timeoutMs);
        return pfd.Revents;
    }

    /// <summary>poll(2); an interrupted call counts as a timeout, so callers simply loop.</summary>
    public static int Poll(Span<Libc.PollFd> fds, int timeoutMs)
    {
        fixed (Libc.PollFd* p = fds)
        {
            var n = Libc.poll(p, (nuint)fds.Length, timeoutMs);
            if (n >= 0)
                return n;
            var errno = Libc.LastError;
            if (errno == Libc.EINTR)
                return 0;
            throw Error("poll", errno);
        }
    }

    public static byte[] NullTerminated(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    public static IOException Error(string call) => Error(call, Libc.LastError);

    public static IOException Error(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
}
