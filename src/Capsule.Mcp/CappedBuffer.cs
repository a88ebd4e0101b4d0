namespace Capsule.Mcp;

/// <summary>
/// Where <c>download_file</c> collects a file: in memory, up to <see cref="Limit"/> bytes. One byte more throws
/// <see cref="FileTooLargeException"/>, which stops the transfer instead of reading the rest of a large file.
/// </summary>
internal sealed class CappedBuffer(long limit) : Stream
{
    private readonly MemoryStream _bytes = new();

    public long Limit => limit;

    public ReadOnlyMemory<byte> Bytes => _bytes.GetBuffer().AsMemory(0, (int)_bytes.Length);

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _bytes.Length;
    public override long Position { get => _bytes.Length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_bytes.Length + buffer.Length > limit)
            throw new FileTooLargeException(limit);
        _bytes.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _bytes.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A downloaded file passed <see cref="CappedBuffer.Limit"/>.</summary>
internal sealed class FileTooLargeException(long limit) : Exception($"The file is larger than {limit} bytes")
{
    public long Limit => limit;
}
