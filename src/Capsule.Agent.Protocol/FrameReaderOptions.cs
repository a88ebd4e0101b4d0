namespace Capsule.Agent.Protocol;

/// <summary>
/// How a <see cref="FrameReader"/> treats bytes that are not a well-formed frame, and how big a frame may be.
/// <see cref="Tolerant"/> is the agent's view of the host (it trusts its peer and resynchronises after a torn connection);
/// <see cref="Strict"/> is the host's view of the guest, which is untrusted: a violation ends the connection.
/// </summary>
internal sealed record FrameReaderOptions
{
    /// <summary>Skips garbage and bad frames forever (the agent reading the host).</summary>
    public static FrameReaderOptions Tolerant { get; } = new();

    /// <summary>
    /// The host reading the guest: up to 64 KiB of bytes before a magic in the whole connection (a restored guest may
    /// have a torn frame in flight), headers of at most 64 KiB (the largest the agent sends is an error message), payloads
    /// of at most <see cref="FrameCodec.MaxPayloadBytes"/>; anything else throws <see cref="FrameProtocolException"/>.
    /// </summary>
    public static FrameReaderOptions Strict { get; } = new()
    {
        ThrowOnViolation = true,
        MaxSkippedBytes = 64 * 1024,
        MaxHeaderBytes = 64 * 1024,
    };

    /// <summary>True: a bad frame throws <see cref="FrameProtocolException"/>; false: it is skipped.</summary>
    public bool ThrowOnViolation { get; init; }

    /// <summary>Bytes outside frames tolerated over the reader's lifetime (only counted when <see cref="ThrowOnViolation"/>).</summary>
    public long MaxSkippedBytes { get; init; } = long.MaxValue;

    public int MaxHeaderBytes { get; init; } = FrameCodec.MaxHeaderBytes;

    public int MaxPayloadBytes { get; init; } = FrameCodec.MaxPayloadBytes;
}
