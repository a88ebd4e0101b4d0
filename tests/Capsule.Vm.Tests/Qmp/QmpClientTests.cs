using System.Text.Json.Nodes;
using Capsule.Vm.Qmp;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Capsule.Vm.Tests.Qmp;

public sealed class QmpClientTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeQmpServer _server;

    public QmpClientTests()
    {
        _server = new FakeQmpServer(_temp.File("qmp.sock"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectAsync_Greeting_SendsCapabilitiesFirst()
    {
        var connect = QmpClient.ConnectAsync(_server.SocketPath, "vm-test", NullLogger.Instance, TimeProvider.System, Ct);
        using var peer = await _server.AcceptAsync(Ct).Bounded();

        var (execute, id, _) = await peer.ReadCommandAsync(Ct).Bounded();
        await peer.ReturnAsync(id, "{}", Ct);
        await using var client = await connect.Bounded();

        Assert.Equal("qmp_capabilities", execute);
        Assert.Null(client.ClosedReason);
    }

    [Fact]
    public async Task ConnectAsync_SocketAppearsLater_RetriesUntilItExists()
    {
        var path = _temp.File("late.sock");
        var time = new FakeTimeProvider();
        var connect = QmpClient.ConnectAsync(path, "vm-test", NullLogger.Instance, time, Ct);
        await time.AdvanceAsync(TimeSpan.FromMilliseconds(20), 10);
        Assert.False(connect.IsCompleted);

        using var late = new FakeQmpServer(path);
        var accept = late.AcceptAsync(Ct);
        await time.AdvanceUntilAsync(TimeSpan.FromMilliseconds(20), () => accept.IsCompleted);
        using var peer = await accept.Bounded();
        await peer.NegotiateAsync(Ct).Bounded();
        await using var client = await connect.Bounded();

        Assert.Null(client.ClosedReason);
    }

    [Fact]
    public async Task ExecuteAsync_RepliesOutOfOrder_EachCallGetsItsOwnReply()
    {
        await using var pair = await ConnectAsync();
        var (client, peer) = (pair.Client, pair.Peer);

        var first = client.ExecuteAsync("query-status", null, Ct);
        var second = client.ExecuteAsync("qom-get", new JsonObject { ["path"] = "/machine/peripheral/vm0", ["property"] = "size" }, Ct);
        var commandA = await peer.ReadCommandAsync(Ct).Bounded();
        var commandB = await peer.ReadCommandAsync(Ct).Bounded();
        var (status, size) = commandA.Execute == "query-status" ? (commandA, commandB) : (commandB, commandA);
        await peer.ReturnAsync(size.Id, "1073741824", Ct);
        await peer.ReturnAsync(status.Id, """{"status": "running", "running": true}""", Ct);

        Assert.Equal(1073741824, (await second.Bounded()).GetInt64());
        Assert.Equal("running", (await first.Bounded()).GetProperty("status").GetString());
        Assert.Equal("size", size.Arguments.GetProperty("property").GetString());
        Assert.NotEqual(status.Id, size.Id);
    }

    [Fact]
    public async Task ExecuteAsync_ErrorReply_ThrowsQmpExceptionWithClassAndDescription()
    {
        await using var pair = await ConnectAsync();
        var (client, peer) = (pair.Client, pair.Peer);

        var call = client.ExecuteAsync("qom-get", new JsonObject { ["path"] = "/nope", ["property"] = "size" }, Ct);
        var (_, id, _) = await peer.ReadCommandAsync(Ct).Bounded();
        await peer.ErrorAsync(id, "DeviceNotFound", "Device '/nope' not found", Ct);

        var error = await Assert.ThrowsAsync<QmpException>(() => call.Bounded());
        Assert.Equal("DeviceNotFound", error.ErrorClass);
        Assert.Equal("Device '/nope' not found", error.Description);
        Assert.Equal("qom-get", error.Command);
    }

    [Fact]
    public async Task Events_EventLine_IsPublishedWithData()
    {
        await using var pair = await ConnectAsync();
        var (client, peer) = (pair.Client, pair.Peer);

        await peer.EventAsync("SHUTDOWN", """{"guest": true, "reason": "guest-panic"}""", Ct);
        var qmpEvent = await client.Events.ReadAsync(Ct).Bounded();

        Assert.Equal("SHUTDOWN", qmpEvent.Name);
        Assert.Equal("guest-panic", qmpEvent.Data.GetProperty("reason").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000).AddTicks(2500), qmpEvent.Timestamp);
    }

    [Fact]
    public async Task ExecuteAsync_EofMidCall_PendingAndLaterCallsFailWithFirstReason()
    {
        await using var pair = await ConnectAsync();
        var (client, peer) = (pair.Client, pair.Peer);

        var pending = client.ExecuteAsync("query-status", null, Ct);
        await peer.ReadCommandAsync(Ct).Bounded();
        peer.Dispose();

        var error = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => pending.Bounded());
        Assert.Contains("closed by QEMU", error.Message, StringComparison.Ordinal);
        var later = await Assert.ThrowsAsync<QmpConnectionClosedException>(() => client.ExecuteAsync("query-status", null, Ct).Bounded());
        Assert.Equal(error.Message, later.Message);
        Assert.Equal(error.Message, client.ClosedReason);
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_ThrowsAndLateReplyIsIgnored()
    {
        await using var pair = await ConnectAsync();
        var (client, peer) = (pair.Client, pair.Peer);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var cancelled = client.ExecuteAsync("query-status", null, cts.Token);
        var (_, lateId, _) = await peer.ReadCommandAsync(Ct).Bounded();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.Bounded());
        await peer.ReturnAsync(lateId, "{}", Ct);

        var next = client.ExecuteAsync("query-kvm", null, Ct);
        var (_, id, _) = await peer.ReadCommandAsync(Ct).Bounded();
        await peer.ReturnAsync(id, """{"enabled": false, "present": true}""", Ct);
        Assert.True((await next.Bounded()).GetProperty("present").GetBoolean());
    }

    private async Task<Pair> ConnectAsync()
    {
        var connect = QmpClient.ConnectAsync(_server.SocketPath, "vm-test", NullLogger.Instance, TimeProvider.System, Ct);
        var peer = await _server.AcceptAsync(Ct).Bounded();
        await peer.NegotiateAsync(Ct).Bounded();
        return new Pair(await connect.Bounded(), peer);
    }

    private sealed record Pair(QmpClient Client, FakeQmpServer.Peer Peer) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            Peer.Dispose();
        }
    }

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }
}
