namespace Capsule.Agent.Protocol;

/// <summary>
/// One message on the agent channel: a JSON header and an optional binary payload
/// (stdout bytes, file bytes). The wire layout is in <see cref="FrameCodec"/>.
/// </summary>
internal sealed record Frame(AgentMessage Header, ReadOnlyMemory<byte> Payload)
{
    public Frame(AgentMessage header)
        : this(header, ReadOnlyMemory<byte>.Empty)
    {
    }
}
