using System.Buffers.Binary;
using System.Text;
using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Protocol;

public sealed class FrameCodecTests
{
    private static byte[] Encode(AgentMessage header, byte[]? payload = null) =>
        FrameCodec.Encode(new Frame(header, payload ?? []));

    private static async Task<List<Frame>> ReadAllAsync(Stream stream)
    {
        var reader = new FrameReader(stream);
        var frames = new List<Frame>();
        while (await reader.ReadAsync(TestTimeouts.Token).AsTask().Bounded() is { } frame)
            frames.Add(frame);
        return frames;
    }

    [Fact]
    public async Task ReadAsync_EncodedFrames_RoundTripHeadersAndPayloads()
    {
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        var exit = new AgentMessage { Kind = MessageKind.Exit, Id = 7, ExitCode = 3, TimedOut = true, WallMs = 12.5, CpuMs = 1.25 };
        var output = new AgentMessage { Kind = MessageKind.Output, Id = 7, Stream = OutputStream.Stderr };
        var bytes = Encode(output, payload).Concat(Encode(exit)).ToArray();

        var frames = await ReadAllAsync(new OneByteStream(bytes));

        Assert.Equal(2, frames.Count);
        Assert.Equal(output, frames[0].Header);
        Assert.Equal(payload, frames[0].Payload.ToArray());
        Assert.Equal(exit, frames[1].Header);
        Assert.True(frames[1].Payload.IsEmpty);
    }

    [Fact]
    public void Encode_Header_IsSnakeCaseJsonWithoutNulls()
    {
        var bytes = Encode(new AgentMessage { Kind = MessageKind.Exec, Id = 5, Language = ExecLanguage.Bash, Code = "ls", TimeoutMs = 1000 });

        Assert.Equal("CAP1"u8.ToArray(), bytes[..4]);
        var headerLength = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8)));
        var json = Encoding.UTF8.GetString(bytes, 12, headerLength);
        Assert.Equal("""{"kind":"exec","id":5,"language":"bash","code":"ls","timeout_ms":1000}""", json);
    }

    [Fact]
    public async Task ReadAsync_GarbageBeforeFrame_SkipsToMagic()
    {
        var ping = new AgentMessage { Kind = MessageKind.Ping, Id = 0, Nonce = "n1" };
        var bytes = "CAPCA\0\u00ffjunkCAP"u8.ToArray().Concat(Encode(ping)).ToArray();

        var frames = await ReadAllAsync(new MemoryStream(bytes));

        Assert.Equal(ping, Assert.Single(frames).Header);
    }

    [Fact]
    public async Task ReadAsync_EndOfStreamMidFrame_ReturnsNull()
    {
        var whole = Encode(new AgentMessage { Kind = MessageKind.Pong, Id = 0, Nonce = "n" });
        foreach (var cut in new[] { 2, 6, 12, whole.Length - 1 })
        {
            var frames = await ReadAllAsync(new MemoryStream(whole[..cut]));
            Assert.Empty(frames);
        }
    }

    [Fact]
    public async Task ReadAsync_InvalidJsonHeader_SkipsThatFrameOnly()
    {
        var broken = new byte[12 + 5];
        "CAP1"u8.CopyTo(broken);
        BinaryPrimitives.WriteInt32BigEndian(broken.AsSpan(4), 5);
        "{oops"u8.CopyTo(broken.AsSpan(12));
        var good = new AgentMessage { Kind = MessageKind.Stats, Id = 9 };

        var frames = await ReadAllAsync(new MemoryStream([.. broken, .. Encode(good)]));

        Assert.Equal(good, Assert.Single(frames).Header);
    }

    [Fact]
    public async Task ReadAsync_OutOfRangeLengths_ResynchronisesOnNextFrame()
    {
        var bogus = new byte[12];
        "CAP1"u8.CopyTo(bogus);
        BinaryPrimitives.WriteInt32BigEndian(bogus.AsSpan(4), FrameCodec.MaxHeaderBytes + 1);
        var good = new AgentMessage { Kind = MessageKind.Ping, Id = 0, Nonce = "after" };

        var frames = await ReadAllAsync(new MemoryStream([.. bogus, .. Encode(good)]));

        Assert.Equal(good, Assert.Single(frames).Header);
    }
}
