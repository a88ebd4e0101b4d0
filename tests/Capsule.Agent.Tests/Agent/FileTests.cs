using System.Security.Cryptography;
using Capsule.Agent.Protocol;
using Capsule.Agent.Tests.Support;

namespace Capsule.Agent.Tests.Agent;

public sealed class FileTests
{
    [Fact]
    public async Task WriteThenRead_MultiMegabyteFile_SameBytes()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var content = new byte[5 * 1024 * 1024 + 12345];
        Random.Shared.NextBytes(content);
        var path = Path.Join(agent.WorkDir, "deep", "er", "blob.bin");

        var written = await client.WriteFileAsync(path, new MemoryStream(content));
        var copy = new MemoryStream();
        var (final, chunks) = await client.ReadFileAsync(path, copy);

        Assert.Equal(MessageKind.Ok, written.Kind);
        Assert.Equal(content.Length, written.Size);
        Assert.Equal(MessageKind.FileEnd, final.Kind);
        Assert.Equal(content.Length, final.Size);
        Assert.True(chunks >= content.Length / (256 * 1024), $"{chunks} chunks");
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(copy.ToArray()));
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await File.ReadAllBytesAsync(path, TestTimeouts.Token)));
        Assert.Equal(["blob.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteFile_CancelledPartWay_TempFileDeletedAndNothingWritten()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var folder = Path.Join(agent.WorkDir, "partial");
        var id = client.NextId();

        await client.SendAsync(new AgentMessage { Kind = MessageKind.WriteFile, Id = id, Path = Path.Join(folder, "big.bin") });
        await client.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, new byte[64 * 1024]);
        // Frames carry no reply until file_end: wait (bounded) for the agent to have made its temp file.
        using (var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!Directory.Exists(folder) || Directory.GetFiles(folder).Length == 0)
                await Task.Delay(10, patience.Token);
        }
        var tempSeen = Directory.GetFiles(folder).Length;
        var cancelled = await client.RequestAsync(new AgentMessage { Kind = MessageKind.Cancel, Id = client.NextId(), TargetId = id });
        var again = await client.WriteFileAsync(Path.Join(folder, "small.txt"), new MemoryStream("ok"u8.ToArray()));

        Assert.Equal(1, tempSeen);
        Assert.Equal(MessageKind.Ok, cancelled.Kind);
        Assert.Equal(MessageKind.Ok, again.Kind);
        Assert.Equal(["small.txt"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteFile_Mode_AppliedAndVisibleToCode()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var path = Path.Join(agent.WorkDir, "run.sh");

        var reply = await client.WriteFileAsync(path, new MemoryStream("#!/bin/sh\necho ran-script\n"u8.ToArray()), mode: Convert.ToInt32("755", 8));
        var outcome = await client.ExecAsync(ExecLanguage.Bash, "./run.sh");

        Assert.Equal(MessageKind.Ok, reply.Kind);
        Assert.Equal("ran-script\n", outcome.Stdout);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task WriteFile_DefaultMode_Is0644AndReplacesOldContent()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var path = Path.Join(agent.WorkDir, "data.txt");
        await File.WriteAllTextAsync(path, "old old old", TestTimeouts.Token);

        var reply = await client.WriteFileAsync(path, new MemoryStream("new"u8.ToArray()));

        Assert.Equal(MessageKind.Ok, reply.Kind);
        Assert.Equal("new", await File.ReadAllTextAsync(path, TestTimeouts.Token));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task WriteFile_EmptyFile_Created()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();
        var path = Path.Join(agent.WorkDir, "empty");

        var reply = await client.WriteFileAsync(path, new MemoryStream());

        Assert.Equal(0, reply.Size);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public async Task WriteFile_ToADirectory_IsDirectoryAndLaterRequestsWork()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.WriteFileAsync(agent.WorkDir, new MemoryStream(new byte[600_000]));
        var next = await client.ExecAsync(ExecLanguage.Bash, "echo fine");

        Assert.Equal(MessageKind.Error, reply.Kind);
        Assert.Equal(AgentErrorCode.IsDirectory, reply.ErrorCode);
        Assert.Equal("fine\n", next.Stdout);
    }

    [Fact]
    public async Task WriteFile_RelativePath_BadRequest()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var reply = await client.WriteFileAsync("relative/file.txt", new MemoryStream("x"u8.ToArray()));

        Assert.Equal(AgentErrorCode.BadRequest, reply.ErrorCode);
    }

    [Fact]
    public async Task ReadFile_Missing_NotFound()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var (final, chunks) = await client.ReadFileAsync(Path.Join(agent.WorkDir, "nope.txt"), new MemoryStream());

        Assert.Equal(MessageKind.Error, final.Kind);
        Assert.Equal(AgentErrorCode.NotFound, final.ErrorCode);
        Assert.Equal(0, chunks);
    }

    [Fact]
    public async Task ReadFile_Directory_IsDirectory()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var (final, _) = await client.ReadFileAsync(agent.WorkDir, new MemoryStream());

        Assert.Equal(AgentErrorCode.IsDirectory, final.ErrorCode);
    }

    [Fact]
    public async Task ReadFile_RelativePath_BadRequest()
    {
        await using var agent = await AgentProcess.StartAsync();
        await using var client = await agent.ConnectAsync();

        var (final, _) = await client.ReadFileAsync("etc/hostname", new MemoryStream());

        Assert.Equal(AgentErrorCode.BadRequest, final.ErrorCode);
    }
}
