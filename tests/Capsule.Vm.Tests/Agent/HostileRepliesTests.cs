using Capsule.Agent.Protocol;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Agent;

/// <summary>
/// An agent that answers a request with an <c>error</c> or with a reply of the wrong kind. Neither is ever a host bug
/// exception: an error is a <see cref="MachineException"/> with <see cref="MachineErrorCode.GuestError"/> (the machine
/// stays up), a wrong kind is a protocol violation that ends the connection like a malformed frame.
/// </summary>
public sealed class HostileRepliesTests : AgentTestBase
{
    [Fact]
    public async Task StatsAnsweredWithError_IsAGuestErrorAndTheConnectionStaysUp()
    {
        await using var pair = await ConnectAsync();
        var stats = pair.Connection.GetStatsAsync(Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.Stats, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = AgentErrorCode.Io, Message = "cannot read /proc" }, Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => stats.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
        Assert.Contains("cannot read /proc", error.Message, StringComparison.Ordinal);
        Assert.False(pair.Connection.Closed.IsCompleted);
    }

    [Fact]
    public async Task SetEnvAnsweredWithError_IsAGuestError()
    {
        await using var pair = await ConnectAsync();
        var setEnv = pair.Connection.SetEnvAsync(new Dictionary<string, string> { ["A"] = "1" }, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.SetEnv, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = AgentErrorCode.Io, Message = "no" }, Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => setEnv.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
    }

    [Fact]
    public async Task ExecAnsweredWithError_IsAGuestError()
    {
        await using var pair = await ConnectAsync();
        var exec = pair.Connection.ExecAsync(Python("pass"), null, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Error, Id = id, ErrorCode = AgentErrorCode.Io, Message = "spawn failed" }, Ct);

        var error = await Assert.ThrowsAsync<MachineException>(() => exec.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
    }

    [Fact]
    public async Task SetEnvAnsweredWithStatsResult_EndsTheConnection()
    {
        await using var pair = await ConnectAsync();
        var setEnv = pair.Connection.SetEnvAsync(new Dictionary<string, string> { ["A"] = "1" }, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.SetEnv, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.StatsResult, Id = id }, Ct);

        var reason = await pair.Connection.Closed.Bounded();
        var error = await Assert.ThrowsAsync<MachineException>(() => setEnv.Bounded());
        Assert.Equal($"the guest agent broke the protocol: it sent a frame of kind stats_result in answer to set_env {id}", reason);
        Assert.Equal(MachineErrorCode.MachineGone, error.Code);
    }

    [Fact]
    public async Task StatsAnsweredWithOk_EndsTheConnection()
    {
        await using var pair = await ConnectAsync();
        var stats = pair.Connection.GetStatsAsync(Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.Stats, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Ok, Id = id }, Ct);

        var reason = await pair.Connection.Closed.Bounded();
        Assert.StartsWith("the guest agent broke the protocol: it sent a frame of kind ok in answer to stats", reason, StringComparison.Ordinal);
        Assert.Equal(MachineErrorCode.MachineGone, (await Assert.ThrowsAsync<MachineException>(() => stats.Bounded())).Code);
    }

    [Fact]
    public async Task UploadAnsweredWithExit_EndsTheConnection()
    {
        await using var pair = await ConnectAsync();
        using var content = new MemoryStream(new byte[10]);
        var upload = pair.Connection.WriteFileAsync("/app/x", content, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.WriteFile, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.Exit, Id = id, ExitCode = 0 }, Ct);

        var reason = await pair.Connection.Closed.Bounded();
        Assert.StartsWith("the guest agent broke the protocol: it sent a frame of kind exit in answer to write_file", reason, StringComparison.Ordinal);
        Assert.Equal(MachineErrorCode.MachineGone, (await Assert.ThrowsAsync<MachineException>(() => upload.Bounded())).Code);
    }

    [Fact]
    public async Task ExecAnsweredWithFileData_EndsTheConnection()
    {
        await using var pair = await ConnectAsync();
        var exec = pair.Connection.ExecAsync(Python("pass"), null, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.Exec, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, [1, 2], Ct);

        var reason = await pair.Connection.Closed.Bounded();
        Assert.StartsWith("the guest agent broke the protocol: it sent a frame of kind file_data in answer to exec", reason, StringComparison.Ordinal);
        Assert.Equal(MachineErrorCode.MachineGone, (await Assert.ThrowsAsync<MachineException>(() => exec.Bounded())).Code);
    }
}
