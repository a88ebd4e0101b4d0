using System.Buffers.Binary;
using System.Text.Json;

namespace Capsule.Agent.Protocol;

/// <summary>
/// The frame layout, shared by the host and the guest agent.
/// <code>
/// offset  size  field
///      0     4  magic "CAP1" (lets a reader resynchronise after a torn connection)
///      4     4  header length H, big-endian, at most <see cref="MaxHeaderBytes"/>
///      8     4  payload length P, big-endian, at most <see cref="MaxPayloadBytes"/>
///     12     H  header: UTF-8 JSON of <see cref="AgentMessage"/>
///   12+H     P  payload: raw bytes
/// </code>
/// </summary>
internal static class FrameCodec
{
    public const int MaxHeaderBytes = 1 << 20;
    public const int MaxPayloadBytes = 1 << 20;
    public const int PrefixBytes = 12;
    public static ReadOnlySpan<byte> Magic => "CAP1"u8;

    public static byte[] Encode(Frame frame)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(frame.Header, AgentJsonContext.Default.AgentMessage);
        if (header.Length > MaxHeaderBytes)
            throw new ArgumentException($"Header of {header.Length} bytes exceeds {MaxHeaderBytes}.", nameof(frame));
        if (frame.Payload.Length > MaxPayloadBytes)
            throw new ArgumentException($"Payload of {frame.Payload.Length} bytes exceeds {MaxPayloadBytes}.", nameof(frame));
        var bytes = new byte[PrefixBytes + header.Length + frame.Payload.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), header.Length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), frame.Payload.Length);
        header.CopyTo(bytes.AsSpan(PrefixBytes));
        frame.Payload.Span.CopyTo(bytes.AsSpan(PrefixBytes + header.Length));
        return bytes;
    }

    public static AgentMessage DecodeHeader(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AgentJsonContext.Default.AgentMessage)
        ?? throw new InvalidDataException("Frame header is JSON null.");
}
