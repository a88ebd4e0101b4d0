using System.Net.WebSockets;

namespace Capsule.Server.Tests.Pty;

/// <summary>How long PTYs and their tokens live (the reattach grace on the fake clock), and output backpressure.</summary>
public sealed class PtyLifetimeTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> StatusAsync(PtyWorld world, string id) =>
        (string)(await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct)).Body!["status"]!;

    [Fact]
    public async Task NeverAttached_EndsAfterTheGrace()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;

        world.App.Time.Advance(Grace - TimeSpan.FromSeconds(1));
        await Task.Delay(100, Ct);
        Assert.Equal("running", await StatusAsync(world, id));
        world.App.Time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.HoldsAsync(async () => await StatusAsync(world, id) == "exited", "the PTY ends at the grace", Ct);
        Assert.True(world.FakePty().IsKilled);
    }

    [Fact]
    public async Task DroppedSocket_ReattachWithinTheGrace_SameShell_ThenGraceEndsIt()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        var first = await world.AttachAsync(id, Ct);
        await PtyWorld.SendAsync(first, "pid\r", Ct);
        var pid = world.FakePty().Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await PtyWorld.ReadUntilAsync(first, pid, Ct);

        first.Abort(); // dropped, no close handshake
        first.Dispose();
        await Eventually.HoldsAsync(async () => !(bool)(await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct)).Body!["attached"]!,
            "the server notices the drop", Ct);
        world.App.Time.Advance(Grace - TimeSpan.FromSeconds(5));
        await Task.Delay(100, Ct);
        Assert.Equal("running", await StatusAsync(world, id));
        using (var second = await world.AttachAsync(id, Ct))
        {
            await PtyWorld.SendAsync(second, "pid\r", Ct);
            await PtyWorld.ReadUntilAsync(second, pid + "\r\n", Ct);
            // Attached: the grace does not run.
            world.App.Time.Advance(Grace * 2);
            await Task.Delay(100, Ct);
            Assert.Equal("running", await StatusAsync(world, id));
            await second.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
        }
        await Eventually.HoldsAsync(async () => !(bool)(await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct)).Body!["attached"]!,
            "the server sees the close", Ct);
        world.App.Time.Advance(Grace);

        await Eventually.HoldsAsync(async () => await StatusAsync(world, id) == "exited", "the PTY ends at the grace", Ct);
        Assert.Single(world.App.Machines.Last.Ptys);
        // An exited PTY stays listed for one more grace, then is forgotten.
        world.App.Time.Advance(Grace);
        await Eventually.HoldsAsync(async () => (await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct)).Status == HttpStatusCode.NotFound,
            "the exited PTY is forgotten", Ct);
    }

    [Fact]
    public async Task GraceIsConfigurable()
    {
        await using var world = await PtyWorld.StartAsync(Ct, new Dictionary<string, string?> { ["Capsule:Pty:ReattachGrace"] = "00:00:05" });
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;

        world.App.Time.Advance(TimeSpan.FromSeconds(5));

        await Eventually.HoldsAsync(async () => await StatusAsync(world, id) == "exited", "the PTY ends at the configured grace", Ct);
    }

    [Fact]
    public async Task Token_AttachesOnce_WithoutAKey()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        var (status, grant) = await world.Client.PostJsonAsync($"{world.Base}/{id}/token", new JsonObject(), Ct);
        Assert.Equal(HttpStatusCode.OK, status);
        var token = (string)grant!["token"]!;
        Assert.Equal(30, (int)grant["expires_in_seconds"]!);
        Assert.EndsWith("?token=" + Uri.EscapeDataString(token), (string)grant["attach_url"]!, StringComparison.Ordinal);

        using (var socket = await world.AttachAsync(id, Ct, token))
        {
            await PtyWorld.SendAsync(socket, "via-token", Ct);
            await PtyWorld.ReadUntilAsync(socket, "via-token", Ct);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
        }
        var reused = await Assert.ThrowsAsync<WebSocketException>(() => world.AttachAsync(id, Ct, token));

        Assert.Contains("401", reused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_Expired_OrForAnotherPty_Is401()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        var other = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        var late = (string)(await world.Client.PostJsonAsync($"{world.Base}/{id}/token", new JsonObject(), Ct)).Body!["token"]!;
        var elsewhere = (string)(await world.Client.PostJsonAsync($"{world.Base}/{id}/token", new JsonObject(), Ct)).Body!["token"]!;

        world.App.Time.Advance(TimeSpan.FromSeconds(30));
        var expired = await Assert.ThrowsAsync<WebSocketException>(() => world.AttachAsync(id, Ct, late));
        var misused = await Assert.ThrowsAsync<WebSocketException>(() => world.AttachAsync(other, Ct, elsewhere));
        var made = await Assert.ThrowsAsync<WebSocketException>(() => world.AttachAsync(id, Ct, "made-up"));

        Assert.All([expired, misused, made], e => Assert.Contains("401", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Flood_ClientNotReading_TheServerStopsReadingTheTerminal()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        using var socket = await world.AttachAsync(id, Ct);

        await PtyWorld.SendAsync(socket, "flood\r", Ct);
        // The client reads nothing: once the socket's buffers are full the server's send waits, it stops reading the
        // terminal, and the guest's writes wait (here: the fake's queue of 16 KiB). Wait until the flood has stalled.
        var fake = world.FakePty();
        long before;
        do
        {
            before = fake.PrintedBytes;
            await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        }
        while (fake.PrintedBytes != before);

        // Loopback socket buffers hold a few MB at most; unbounded buffering would have taken gigabytes by now.
        Assert.InRange(fake.PrintedBytes, 1, 64L * 1024 * 1024);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (!stopReading.IsCancellationRequested)
                await socket.ReceiveAsync(buffer, stopReading.Token);
        }, CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(fake.PrintedBytes > before), "the flood resumes once the client reads", Ct);
        await stopReading.CancelAsync();
        try
        {
            await reading;
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-receive.
        }
    }
}
