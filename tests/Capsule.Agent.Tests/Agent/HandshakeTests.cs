using System.Buffers.Binary;
using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class HandshakeTests
{
    [Fact]
    public async Task Handshake_StaleBytesAndTornFrameFirst_PongEchoesNonce()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await AgentClient.ConnectRawAsync(agent.SocketPath);

        // What a host can find on a reused channel: noise, then a frame cut short. The torn frame
        // swallows the first ping that follows it, which is why the host keeps pinging.
        var torn = new byte[12 + 10];
        "CAP1"u8.CopyTo(torn);
        BinaryPrimitives.WriteInt32BigEndian(torn.AsSpan(4), 40);
        "{\"kind\":\"e"u8.CopyTo(torn.AsSpan(12));
        await client.SendRawAsync([.. "stale output\n\0\x01CAP"u8.ToArray(), .. torn]);
        var pong = await client.HandshakeAsync();

        Assert.Equal(MessageKind.Pong, pong.Kind);
        Assert.Equal(0, pong.Id);
        Assert.False(string.IsNullOrEmpty(pong.Version));
    }

    [Fact]
    public async Task Request_UnknownKind_ErrorBadRequestAndConnectionStaysUsable()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.RequestAsync(new AgentMessage { Kind = "frobnicate", Id = client.NextId() });
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo still here");

        Assert.Equal(MessageKind.Error, reply.Kind);
        Assert.Equal(AgentErrorCode.BadRequest, reply.ErrorCode);
        Assert.Equal("still here\n", outcome.Stdout);
    }

    [Fact]
    public async Task Exec_UnknownLanguage_ErrorBadRequest()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Exec, Id = client.NextId(), Language = "cobol", Code = "x" });

        Assert.Equal(MessageKind.Error, reply.Kind);
        Assert.Equal(AgentErrorCode.BadRequest, reply.ErrorCode);
    }

    [Fact]
    public async Task Request_NullJsonHeader_SkippedAndConnectionStaysUsable()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var frame = new byte[12 + 4];
        "CAP1"u8.CopyTo(frame);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), 4);
        "null"u8.CopyTo(frame.AsSpan(12));

        await client.SendRawAsync(frame);
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "echo after");

        Assert.Equal("after\n", outcome.Stdout);
    }
}
