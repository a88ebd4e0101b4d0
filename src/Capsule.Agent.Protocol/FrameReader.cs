using System.Buffers.Binary;
using System.Text.Json;

namespace Capsule.Agent.Protocol;

/// <summary>
/// Reads frames from a byte stream. Bytes before a magic marker are skipped, so a reader that joins mid-stream (a torn
/// connection, a restored VM) finds the next whole frame. What happens to a frame whose lengths are out of range or whose
/// header is not valid JSON depends on <see cref="FrameReaderOptions"/>: a tolerant reader skips it, a strict one throws
/// <see cref="FrameProtocolException"/> (as it does once its budget of skipped bytes is spent). Memory per reader is
/// bounded: a frame is read into one array of exactly its size, at most the header plus payload limits; nothing else
/// grows with what the peer sends. The stream should buffer reads (the magic is scanned byte by byte).
/// </summary>
internal sealed class FrameReader(Stream stream, FrameReaderOptions options)
{
    private static readonly byte[] Magic = FrameCodec.Magic.ToArray();
    private readonly byte[] _prefix = new byte[FrameCodec.PrefixBytes];
    private long _skipped;

    public FrameReader(Stream stream)
        : this(stream, FrameReaderOptions.Tolerant)
    {
    }

    /// <summary>Bytes skipped so far while looking for a magic (garbage, torn frames).</summary>
    public long SkippedBytes => _skipped;

    /// <summary>Returns the next frame, or null at end of stream (also in the middle of a frame).</summary>
    public async ValueTask<Frame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!await SyncToMagicAsync(cancellationToken).ConfigureAwait(false))
                return null;
            if (!await ReadExactAsync(_prefix.AsMemory(4, 8), cancellationToken).ConfigureAwait(false))
                return null;
            var headerLength = BinaryPrimitives.ReadInt32BigEndian(_prefix.AsSpan(4));
            var payloadLength = BinaryPrimitives.ReadInt32BigEndian(_prefix.AsSpan(8));
            if (headerLength <= 0 || headerLength > options.MaxHeaderBytes)
            {
                Violation($"a frame header length of {headerLength} bytes (1 to {options.MaxHeaderBytes} allowed)");
                continue;
            }
            if (payloadLength < 0 || payloadLength > options.MaxPayloadBytes)
            {
                Violation($"a frame payload length of {payloadLength} bytes (0 to {options.MaxPayloadBytes} allowed)");
                continue;
            }
            var body = new byte[headerLength + payloadLength];
            if (!await ReadExactAsync(body, cancellationToken).ConfigureAwait(false))
                return null;
            AgentMessage header;
            try
            {
                header = FrameCodec.DecodeHeader(body.AsSpan(0, headerLength));
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                Violation($"a frame header that is not a valid message ({e.Message})");
                continue;
            }
            return new Frame(header, body.AsMemory(headerLength, payloadLength));
        }
    }

    private void Violation(string what)
    {
        if (options.ThrowOnViolation)
            throw new FrameProtocolException(what);
    }

    private async ValueTask<bool> SyncToMagicAsync(CancellationToken cancellationToken)
    {
        var magic = Magic;
        var matched = 0;
        while (matched < 4)
        {
            if (!await ReadExactAsync(_prefix.AsMemory(0, 1), cancellationToken).ConfigureAwait(false))
                return false;
            var b = _prefix[0];
            if (b == magic[matched])
            {
                matched++;
                continue;
            }
            // The bytes matched so far and this one are not a frame start (except a new 'C').
            var restart = b == magic[0] ? 1 : 0;
            Skip(matched + 1 - restart);
            matched = restart;
        }
        return true;
    }

    private void Skip(int count)
    {
        _skipped += count;
        if (options.ThrowOnViolation && _skipped > options.MaxSkippedBytes)
            throw new FrameProtocolException($"more than {options.MaxSkippedBytes} bytes that are not part of any frame");
    }

    private async ValueTask<bool> ReadExactAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
