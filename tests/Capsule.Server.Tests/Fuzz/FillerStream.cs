namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// A read-only stream of <paramref name="prefix"/> then filler bytes up to <paramref name="length"/>, made on the fly
/// and counting what was read, so a test can tell how much of a large body the server consumed. Not seekable and of
/// no known length, so an <see cref="StreamContent"/> over it has no length unless one is set (and is sent chunked).
/// </summary>
internal sealed class FillerStream(byte[] prefix, long length, byte filler = (byte)'x') : ForwardOnlyReadStream
{
    private long _position;

    /// <summary>Bytes handed out so far.</summary>
    public long BytesRead => Interlocked.Read(ref _position);

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < count; i++)
        {
            var at = _position + i;
            buffer[i] = at < prefix.Length ? prefix[at] : filler;
        }
        Interlocked.Add(ref _position, count);
        return count;
    }
}
