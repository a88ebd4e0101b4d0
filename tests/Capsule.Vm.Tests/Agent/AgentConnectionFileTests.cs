using System.Security.Cryptography;
using Capsule.Agent.Protocol;
using Capsule.Vm.Agent;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Agent;

/// <summary>write_file and read_file: chunking, round trips, error mapping, backpressure.</summary>
public sealed class AgentConnectionFileTests : AgentTestBase
{
    [Fact]
    public async Task WriteFileThenReadFile_SeveralMegabytes_RoundTripByHash()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        var files = new FakeAgentFiles(peer);
        var serving = files.ServeAsync(Ct);
        var content = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 123);

        var written = await connection.WriteFileAsync("/app/data.bin", new MemoryStream(content), Ct).Bounded();
        using var copy = new MemoryStream();
        var read = await connection.ReadFileAsync("/app/data.bin", copy, Ct).Bounded();

        Assert.Equal(content.Length, written);
        Assert.Equal(content.Length, read);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(copy.ToArray()));
        Assert.Equal(AgentConnection.FileChunkBytes, files.LargestChunkReceived);
        await connection.DisposeAsync();
        await serving.Bounded();
    }

    [Theory]
    [InlineData(AgentErrorCode.NotFound, nameof(MachineErrorCode.FileNotFound))]
    [InlineData(AgentErrorCode.IsDirectory, nameof(MachineErrorCode.IsDirectory))]
    [InlineData(AgentErrorCode.BadRequest, nameof(MachineErrorCode.InvalidPath))]
    [InlineData(AgentErrorCode.Io, nameof(MachineErrorCode.InvalidPath))]
    public async Task ReadFileAsync_AgentError_MapsToMachineErrorCode(string agentCode, string expectedCode)
    {
        var expected = Enum.Parse<MachineErrorCode>(expectedCode);
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        var files = new FakeAgentFiles(peer);
        files.Errors["/app/x"] = agentCode;
        _ = files.ServeAsync(Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => connection.ReadFileAsync("/app/x", Stream.Null, Ct).Bounded());

        Assert.Equal(expected, error.Code);
        Assert.Contains("/app/x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFileAsync_MissingFile_ThrowsFileNotFound()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        _ = new FakeAgentFiles(peer).ServeAsync(Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => connection.ReadFileAsync("/app/missing.txt", Stream.Null, Ct).Bounded());

        Assert.Equal(MachineErrorCode.FileNotFound, error.Code);
    }

    [Fact]
    public async Task WriteFileAsync_IsDirectoryError_ThrowsIsDirectory()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        var files = new FakeAgentFiles(peer);
        files.Errors["/app"] = AgentErrorCode.IsDirectory;
        _ = files.ServeAsync(Ct);

        var error = await Assert.ThrowsAsync<MachineException>(
            () => connection.WriteFileAsync("/app", new MemoryStream(new byte[1024 * 1024]), Ct).Bounded());

        Assert.Equal(MachineErrorCode.IsDirectory, error.Code);
    }

    [Fact]
    public async Task ReadFileAsync_SlowDestination_AgentIsHeldBackUntilItDrains()
    {
        await using var pair = await ConnectAsync();
        var (connection, peer) = (pair.Connection, pair.Peer);
        var content = RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
        var destination = new GatedStream();

        var read = connection.ReadFileAsync("/app/big.bin", destination, Ct);
        var id = (await peer.ReadKindAsync(MessageKind.ReadFile, Ct).Bounded()).Header.Id;
        var sending = SendFileAsync(peer, id, content);
        await destination.FirstWrite.Bounded();
        await Task.Delay(500, Ct);

        // 16 MiB cannot fit in the bounded channel plus the socket buffers, so the agent must still be blocked.
        Assert.False(sending.IsCompleted);
        destination.Open();
        await sending.Bounded();
        Assert.Equal(content.Length, await read.Bounded());
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(destination.ToArray()));
    }

    private static async Task SendFileAsync(FakeAgent.Peer peer, long id, byte[] content)
    {
        for (var offset = 0; offset < content.Length; offset += AgentConnection.FileChunkBytes)
            await peer.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, content.AsSpan(offset, AgentConnection.FileChunkBytes).ToArray(), Ct);
        await peer.SendAsync(new AgentMessage { Kind = MessageKind.FileEnd, Id = id, Size = content.Length }, Ct);
    }

    /// <summary>A destination whose writes wait until the test opens it.</summary>
    private sealed class GatedStream : MemoryStream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstWrite => _firstWrite.Task;

        public void Open() => _open.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _firstWrite.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
        }
    }
}
