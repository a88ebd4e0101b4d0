using Capsule.Agent.Protocol;
using Capsule.Vm.Agent;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Capsule.Vm.Tests.Agent;

/// <summary>
/// An agent that answers pings but drops a transfer: an upload or download that waits on the guest for its next part
/// longer than <see cref="AgentConnection.FileIdleTimeout"/> ends with <see cref="MachineErrorCode.GuestError"/>, and
/// the connection stays up. The deadline is per part, not per transfer: a slow guest that keeps sending is not stopped.
/// </summary>
public sealed class TransferIdleDeadlineTests : AgentTestBase
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DownloadWhoseGuestStopsSending_IsAGuestErrorAndTheConnectionStaysUp()
    {
        var time = new FakeTimeProvider();
        await using var pair = await ConnectAsync(time);
        pair.Connection.FileIdleTimeout = Idle;
        var destination = new SignallingStream();
        var read = pair.Connection.ReadFileAsync("/app/stuck.bin", destination, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.ReadFile, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, new byte[100], Ct);
        await destination.Written(100).Bounded();

        var passed = await time.AdvanceUntilAsync(TimeSpan.FromSeconds(20), () => read.IsCompleted, maxSteps: 50);

        var error = await Assert.ThrowsAsync<MachineException>(() => read.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
        Assert.Equal("The guest agent made no progress on the download of /app/stuck.bin for 60 s; the transfer was stopped.", error.Message);
        Assert.True(passed >= Idle, $"stopped after {passed} of fake time");
        Assert.False(pair.Connection.Closed.IsCompleted);
    }

    [Fact]
    public async Task DownloadWhoseGuestKeepsSendingSlowly_IsNotStopped()
    {
        var time = new FakeTimeProvider();
        await using var pair = await ConnectAsync(time);
        pair.Connection.FileIdleTimeout = Idle;
        var destination = new SignallingStream();
        var read = pair.Connection.ReadFileAsync("/app/slow.bin", destination, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.ReadFile, Ct).Bounded()).Header.Id;

        // Three chunks 50 s apart: 150 s in all, more than the idle limit, but never 60 s without one.
        for (var chunk = 1; chunk <= 3; chunk++)
        {
            await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, new byte[10], Ct);
            await destination.Written(10 * chunk).Bounded();
            await time.AdvanceAsync(TimeSpan.FromSeconds(10), 5);
            Assert.False(read.IsCompleted);
        }
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.FileEnd, Id = id, Size = 30 }, Ct);

        Assert.Equal(30, await read.Bounded());
    }

    [Fact]
    public async Task DownloadWhoseClientReadsSlowly_IsNotStopped()
    {
        var time = new FakeTimeProvider();
        await using var pair = await ConnectAsync(time);
        pair.Connection.FileIdleTimeout = Idle;
        var destination = new SignallingStream { Gated = true };
        var read = pair.Connection.ReadFileAsync("/app/big.bin", destination, Ct);
        var id = (await pair.Peer.ReadKindAsync(MessageKind.ReadFile, Ct).Bounded()).Header.Id;
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.FileData, Id = id }, new byte[10], Ct);
        await pair.Peer.SendAsync(new AgentMessage { Kind = MessageKind.FileEnd, Id = id, Size = 10 }, Ct);
        await destination.Writing.Bounded();

        // The host waits on its client, not on the guest, for far longer than the limit.
        await time.AdvanceAsync(TimeSpan.FromSeconds(30), 10);
        Assert.False(read.IsCompleted);
        destination.Open();

        Assert.Equal(10, await read.Bounded());
    }

    [Fact]
    public async Task UploadWhoseGuestNeverAnswersTheEnd_IsAGuestErrorAndTheConnectionStaysUp()
    {
        var time = new FakeTimeProvider();
        await using var pair = await ConnectAsync(time);
        pair.Connection.FileIdleTimeout = Idle;
        var write = pair.Connection.WriteFileAsync("/app/up.bin", new MemoryStream(new byte[1000]), Ct);
        await pair.Peer.ReadKindAsync(MessageKind.WriteFile, Ct).Bounded();
        await pair.Peer.ReadKindAsync(MessageKind.FileData, Ct).Bounded();
        await pair.Peer.ReadKindAsync(MessageKind.FileEnd, Ct).Bounded();

        await time.AdvanceUntilAsync(TimeSpan.FromSeconds(20), () => write.IsCompleted, maxSteps: 50);

        var error = await Assert.ThrowsAsync<MachineException>(() => write.Bounded());
        Assert.Equal(MachineErrorCode.GuestError, error.Code);
        Assert.Equal("The guest agent made no progress on the upload to /app/up.bin for 60 s; the transfer was stopped.", error.Message);
        Assert.False(pair.Connection.Closed.IsCompleted);
    }

    /// <summary>A destination that reports how much was written, and can hold writes until the test opens it.</summary>
    private sealed class SignallingStream : MemoryStream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _writing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _written;

        public bool Gated { get; init; }

        public Task Writing => _writing.Task;

        public void Open() => _open.TrySetResult();

        public async Task Written(long bytes)
        {
            while (Interlocked.Read(ref _written) < bytes)
                await Task.Delay(5, TestContext.Current.CancellationToken);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _writing.TrySetResult();
            if (Gated)
                await _open.Task.WaitAsync(cancellationToken);
            await base.WriteAsync(buffer, cancellationToken);
            Interlocked.Add(ref _written, buffer.Length);
        }
    }
}
