namespace Capsule.Server.Files;

/// <summary>
/// Where a downloaded file's bytes go: the HTTP response, written as they arrive from the guest. The response starts
/// (status, headers, any prefix) only with the first bytes or at <see cref="CompleteAsync"/>, so a refusal that comes
/// before any data (no such file, a directory) still gets its own status and <c>{"detail"}</c> body.
/// </summary>
internal abstract class DownloadStream(HttpResponse response) : Stream
{
    private bool _started;

    protected HttpResponse Response { get; } = response;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Ends the response after the last byte; <paramref name="size"/> is the file's size as the guest reported it.</summary>
    public async Task CompleteAsync(long size, CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken);
        await FinishAsync(size, cancellationToken);
        await Response.Body.FlushAsync(cancellationToken);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync(cancellationToken);
        await WriteContentAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Response.Body.FlushAsync(cancellationToken);

    /// <summary>Sets the status and headers and writes whatever precedes the content.</summary>
    protected abstract Task StartAsync(CancellationToken cancellationToken);

    protected abstract ValueTask WriteContentAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Writes whatever follows the content.</summary>
    protected abstract Task FinishAsync(long size, CancellationToken cancellationToken);

    private async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_started)
            return;
        _started = true;
        await StartAsync(cancellationToken);
    }

    public override void Flush() => throw new NotSupportedException("Downloads are written asynchronously");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Downloads are written asynchronously");
}
