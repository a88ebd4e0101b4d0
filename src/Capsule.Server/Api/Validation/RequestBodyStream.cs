using Capsule.Server.Api.Errors;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// A read-only view of a request body (or of one multipart section) that turns what can go wrong with a client's
/// bytes into refusals instead of 500s: more than <paramref name="maxBytes"/> (counted here, so the limit holds whatever
/// the server or the multipart framing claims) or the server's own body limit is a 413 (<paramref name="tooLarge"/>);
/// a body the framework finds malformed (<see cref="InvalidDataException"/>, or an <see cref="IOException"/> such as a
/// multipart body that ends before its closing boundary) is a 400.
/// </summary>
internal sealed class RequestBodyStream(Stream inner, long maxBytes, Func<CapsuleException> tooLarge) : Stream
{
    private long _read;

    /// <summary>Translation only, no limit of its own (e.g. a multipart section inside an already limited body).</summary>
    public RequestBodyStream(Stream inner)
        : this(inner, long.MaxValue, () => new CapsuleException(ErrorCode.PayloadTooLarge, "The request body is too large"))
    {
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw tooLarge();
        }
        catch (BadHttpRequestException)
        {
            throw;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            throw Malformed(ex);
        }
        _read += read;
        if (_read > maxBytes)
            throw tooLarge();
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The 400 for a body the framework could not parse; the framework's message says what was wrong.</summary>
    public static CapsuleException Malformed(Exception ex) =>
        new(ErrorCode.InvalidArgument, $"The request body is malformed: {ex.Message}");

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Request bodies are read asynchronously");
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
