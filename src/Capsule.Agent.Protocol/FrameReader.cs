using System.Buffers.Binary;
using System.Text.Json;

namespace Capsule.Agent.Protocol;

/// <summary>
/// Reads frames from a byte stream. Bytes before a magic marker are skipped, so a reader
/// that joins mid-stream (a torn connection, a restored VM) finds the next whole frame.
/// A frame whose lengths are out of range or whose header is not valid JSON is skipped too.
/// </summary>
internal sealed class FrameReader(Stream stream)
{
    private readonly byte[] _prefix = new byte[FrameCodec.PrefixBytes];

    /// <summary>Returns the next frame, or null at end of stream.</summary>
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
            if (headerLength <= 0 || headerLength > FrameCodec.MaxHeaderBytes
                || payloadLength < 0 || payloadLength > FrameCodec.MaxPayloadBytes)
                continue;
            var body = new byte[headerLength + payloadLength];
            if (!await ReadExactAsync(body, cancellationToken).ConfigureAwait(false))
                return null;
            AgentMessage header;
            try
            {
                header = FrameCodec.DecodeHeader(body.AsSpan(0, headerLength));
            }
            catch (JsonException)
            {
                continue;
            }
            return new Frame(header, body.AsMemory(headerLength, payloadLength));
        }
    }

    private async ValueTask<bool> SyncToMagicAsync(CancellationToken cancellationToken)
    {
        var magic = FrameCodec.Magic.ToArray();
        var matched = 0;
        var one = new byte[1];
        while (matched < magic.Length)
        {
            if (!await ReadExactAsync(one, cancellationToken).ConfigureAwait(false))
                return false;
            if (one[0] == magic[matched])
                matched++;
            else
                matched = one[0] == magic[0] ? 1 : 0;
        }
        return true;
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
