namespace Capsule.Agent.Protocol;

/// <summary>The peer sent bytes that are not a valid frame (only a <see cref="FrameReaderOptions.Strict"/> reader throws it).</summary>
internal sealed class FrameProtocolException(string violation)
    : IOException($"The peer sent {violation}.")
{
    /// <summary>What was wrong, as an object of "sent", e.g. "a frame header length of 0 bytes (1 to 65536 allowed)".</summary>
    public string Violation { get; } = violation;
}
