using Capsule.Agent.Native;

namespace Capsule.Agent.Transport;

/// <summary>
/// A duplex stream over a non-blocking character device fd (the virtio-serial port). Reads and
/// writes block the calling thread in poll(2); the async overloads complete synchronously.
/// A read returns 0 when the host is gone (EOF or POLLHUP with nothing left to read); a write
/// to a gone host throws <see cref="IOException"/>.
/// </summary>
internal sealed class FdStream(int fd) : Stream
{
    private int _fd = fd;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_fd < 0, this);
            var n = Fd.TryRead(_fd, buffer);
            if (n != Fd.WouldBlock)
                return n;
            var revents = Fd.PollOne(_fd, Libc.POLLIN, -1);
            if ((revents & Libc.POLLIN) == 0 && (revents & (Libc.POLLHUP | Libc.POLLERR | Libc.POLLNVAL)) != 0)
                return 0;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        new(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        Fd.WriteAll(_fd, buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Fd.Close(Interlocked.Exchange(ref _fd, -1));
        base.Dispose(disposing);
    }
}
