using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace Capsule.Testing.Guests;

/// <summary>
/// The agent frame format written and read by hand (magic "CAP1", big-endian header and payload lengths, JSON header),
/// so a test guest can also write what the real codec never would.
/// </summary>
internal static class RawFrames
{
    public static byte[] Prefix(int headerLength, int payloadLength)
    {
        var bytes = new byte[12];
        "CAP1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), headerLength);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), payloadLength);
        return bytes;
    }

    public static byte[] Encode(JsonObject header, ReadOnlySpan<byte> payload = default) =>
        EncodeRawHeader(Encoding.UTF8.GetBytes(header.ToJsonString()), payload);

    public static byte[] EncodeRawHeader(byte[] header, ReadOnlySpan<byte> payload = default)
    {
        var bytes = new byte[12 + header.Length + payload.Length];
        Prefix(header.Length, payload.Length).CopyTo(bytes, 0);
        header.CopyTo(bytes, 12);
        payload.CopyTo(bytes.AsSpan(12 + header.Length));
        return bytes;
    }

    /// <summary>Reads one well-formed frame (the host's); null at end of stream.</summary>
    public static async Task<(JsonObject Header, byte[] Payload)?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var prefix = new byte[12];
        if (!await ReadExactAsync(stream, prefix, cancellationToken))
            return null;
        if (!prefix.AsSpan(0, 4).SequenceEqual("CAP1"u8))
            throw new InvalidDataException("The host sent a frame without the magic.");
        var header = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix.AsSpan(4))];
        var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix.AsSpan(8))];
        if (!await ReadExactAsync(stream, header, cancellationToken) || !await ReadExactAsync(stream, payload, cancellationToken))
            return null;
        return ((JsonObject)JsonNode.Parse(header)!, payload);
    }

    private static async Task<bool> ReadExactAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }
}
