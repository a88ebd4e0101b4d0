using System.Buffers.Binary;
using Capsule.Agent.Protocol;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Agent;

/// <summary>The host's strict frame reader: bounded garbage, and every malformed frame is an error, not a skip.</summary>
public sealed class StrictFrameReaderTests
{
    private static readonly AgentMessage Pong = new() { Kind = MessageKind.Pong, Id = 0, Nonce = "n" };

    private static FrameReader Strict(byte[] bytes) => new(new MemoryStream(bytes), FrameReaderOptions.Strict);

    private static byte[] Prefix(int headerLength, int payloadLength)
    {
        var bytes = new byte[FrameCodec.PrefixBytes];
        "CAP1"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), headerLength);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), payloadLength);
        return bytes;
    }

    [Fact]
    public async Task ReadAsync_TornFrameWithinBudget_SkipsToTheNextFrame()
    {
        var whole = FrameCodec.Encode(new Frame(Pong));
        var torn = whole[5..]; // the rest of a frame whose start was lost, as after a restore
        var reader = Strict([.. torn, .. new byte[1000], .. whole]);

        var frame = await reader.ReadAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(Pong, frame!.Header);
        Assert.Equal(torn.Length + 1000, reader.SkippedBytes);
    }

    [Fact]
    public async Task ReadAsync_GarbageBeyondBudget_Throws()
    {
        var garbage = new byte[FrameReaderOptions.Strict.MaxSkippedBytes + 1];
        var reader = Strict([.. garbage, .. FrameCodec.Encode(new Frame(Pong))]);

        var error = await Assert.ThrowsAsync<FrameProtocolException>(() => reader.ReadAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Contains("not part of any frame", error.Violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, "header length of 0")]
    [InlineData(64 * 1024 + 1, 0, "header length of 65537")]
    [InlineData(int.MaxValue, 0, "header length of 2147483647")]
    [InlineData(10, -1, "payload length of -1")]
    [InlineData(10, FrameCodec.MaxPayloadBytes + 1, "payload length of 1048577")]
    public async Task ReadAsync_LengthOutOfRange_Throws(int headerLength, int payloadLength, string expected)
    {
        var reader = Strict([.. Prefix(headerLength, payloadLength), .. FrameCodec.Encode(new Frame(Pong))]);

        var error = await Assert.ThrowsAsync<FrameProtocolException>(() => reader.ReadAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Contains(expected, error.Violation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{oops")]
    [InlineData("null")]
    [InlineData("""{"id":1}""")]
    [InlineData("""{"kind":"exit","id":"one"}""")]
    public async Task ReadAsync_HeaderNotAMessage_Throws(string json)
    {
        var header = System.Text.Encoding.UTF8.GetBytes(json);
        var reader = Strict([.. Prefix(header.Length, 0), .. header, .. FrameCodec.Encode(new Frame(Pong))]);

        var error = await Assert.ThrowsAsync<FrameProtocolException>(() => reader.ReadAsync(TestContext.Current.CancellationToken).Bounded());

        Assert.Contains("not a valid message", error.Violation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_Tolerant_StillSkipsWhatStrictRejects()
    {
        var reader = new FrameReader(new MemoryStream([.. new byte[200_000], .. Prefix(0, 0), .. FrameCodec.Encode(new Frame(Pong))]));

        var frame = await reader.ReadAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.Equal(Pong, frame!.Header);
    }
}
