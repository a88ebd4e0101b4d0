using System.Net.WebSockets;
using System.Text;

namespace Capsule.Server.Tests.Pty;

/// <summary>The PTY routes with an in-process fake terminal (<see cref="FakePty"/>): shapes, validation, lookups.</summary>
public sealed class PtyApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_NoBody_Is80x24Bash_RunningAndListed()
    {
        await using var world = await PtyWorld.StartAsync(Ct);

        var pty = await world.CreatePtyAsync(Ct);

        JsonShape.AssertExactly(pty, ("pty_id", JsonValueKind.String), ("session_id", JsonValueKind.String), ("cols", JsonValueKind.Number),
            ("rows", JsonValueKind.Number), ("shell", JsonValueKind.String), ("status", JsonValueKind.String), ("exit_code", JsonValueKind.Null),
            ("attached", JsonValueKind.False), ("created_at", JsonValueKind.String), ("ended_at", JsonValueKind.Null),
            ("attach_url", JsonValueKind.String));
        var id = (string)pty["pty_id"]!;
        Assert.Equal(80, (int)pty["cols"]!);
        Assert.Equal(24, (int)pty["rows"]!);
        Assert.Equal("/bin/bash", (string?)pty["shell"]);
        Assert.Equal("running", (string?)pty["status"]);
        Assert.Equal($"{world.Base}/{id}/attach", (string?)pty["attach_url"]);
        Assert.Equal(new Capsule.Vm.PtyRequest { Cols = 80, Rows = 24, Shell = "/bin/bash" }, world.FakePty().Request);
        var (_, list) = await world.Client.GetJsonAsync(world.Base, Ct);
        Assert.Equal(id, (string?)Assert.Single(list!.AsArray())!["pty_id"]);
        var (status, one) = await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(id, (string?)one!["pty_id"]);
    }

    [Fact]
    public async Task Create_SeveralPerSession_EachItsOwnTerminal()
    {
        await using var world = await PtyWorld.StartAsync(Ct);

        var first = (string)(await world.CreatePtyAsync(Ct, new JsonObject { ["cols"] = 100, ["rows"] = 30, ["shell"] = "/bin/sh" }))["pty_id"]!;
        var second = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;

        Assert.NotEqual(first, second);
        Assert.Equal(2, world.App.Machines.Last.Ptys.Count);
        Assert.Equal("/bin/sh", world.FakePty(0).Request.Shell);
        Assert.Equal((100, 30), world.FakePty(0).Sizes[0]);
        var (_, list) = await world.Client.GetJsonAsync(world.Base, Ct);
        Assert.Equal([first, second], list!.AsArray().Select(p => (string)p!["pty_id"]!));
    }

    [Theory]
    [InlineData("""{"cols": 0}""", "cols", "greater_than_equal")]
    [InlineData("""{"rows": 1001}""", "rows", "less_than_equal")]
    [InlineData("""{"cols": "wide"}""", "cols", "int_parsing")]
    [InlineData("""{"shell": "/usr/bin/python3"}""", "shell", "value_error")]
    [InlineData("""{"shell": 5}""", "shell", "string_type")]
    public async Task Create_Invalid_Is422NamingTheField(string body, string field, string type)
    {
        await using var world = await PtyWorld.StartAsync(Ct);

        var (status, json) = await world.Client.PostRawAsync(world.Base, body, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(json!["detail"]!.AsArray())!;
        Assert.Equal(type, (string?)error["type"]);
        Assert.Equal(["body", field], error["loc"]!.AsArray().Select(n => n!.ToString()));
        Assert.Empty(world.App.Machines.Started);
    }

    [Fact]
    public async Task Resize_ChangesTheTerminal_MissingFieldsAre422()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;

        var (missing, error) = await world.Client.PostJsonAsync($"{world.Base}/{id}/resize", new JsonObject { ["cols"] = 120 }, Ct);
        var (status, body) = await world.Client.PostJsonAsync($"{world.Base}/{id}/resize", new JsonObject { ["cols"] = 120, ["rows"] = 40 }, Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing);
        Assert.Equal("missing", (string?)Assert.Single(error!["detail"]!.AsArray())!["type"]);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(120, (int)body!["cols"]!);
        Assert.Equal(40, (int)body["rows"]!);
        Assert.Equal((120, 40), world.FakePty().Sizes[^1]);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/resize")]
    [InlineData("POST", "/token")]
    [InlineData("GET", "/attach")]
    public async Task UnknownPty_Is404(string method, string suffix)
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        await world.CreatePtyAsync(Ct);

        using var request = new HttpRequestMessage(new HttpMethod(method), $"{world.Base}/pty-0123456789abcdef{suffix}");
        if (suffix == "/resize")
            request.Content = new StringContent("""{"cols": 10, "rows": 10}""", Encoding.UTF8, "application/json");
        var (status, text) = await world.Client.SendRawAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("PTY not found", (string?)JsonNode.Parse(text)!["detail"]);
    }

    [Fact]
    public async Task PtyOfAnotherSession_Is404_UnderThisOne()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        var other = await world.Client.CreateSessionAsync(world.App.AdminKey, Ct);

        var (status, body) = await world.Client.GetJsonAsync($"/v1/sessions/{other}/pty/sessions/{id}", Ct);
        var (_, list) = await world.Client.GetJsonAsync($"/v1/sessions/{other}/pty/sessions", Ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("PTY not found", (string?)body!["detail"]);
        Assert.Empty(list!.AsArray());
    }

    [Fact]
    public async Task Create_PastTheLimitPerSession_Is409()
    {
        await using var world = await PtyWorld.StartAsync(Ct, new Dictionary<string, string?> { ["Capsule:Pty:MaxPerSession"] = "2" });
        await world.CreatePtyAsync(Ct);
        await world.CreatePtyAsync(Ct);

        var (status, body) = await world.Client.PostJsonAsync(world.Base, new JsonObject(), Ct);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("already has 2 running PTYs", (string?)body!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attach_PlainGet_Is400()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;

        var (status, body) = await world.Client.GetJsonAsync($"{world.Base}/{id}/attach", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("This route takes a WebSocket upgrade", (string?)body!["detail"]);
    }

    [Fact]
    public async Task Delete_KillsTheShell_AndForgetsIt()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;

        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{world.Base}/{id}");
        var (status, text) = await world.Client.SendRawAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        var body = JsonNode.Parse(text)!;
        Assert.Equal("exited", (string?)body["status"]);
        Assert.Equal(137, (int)body["exit_code"]!);
        Assert.True(world.FakePty().IsKilled);
        var (gone, _) = await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    [Fact]
    public async Task Attach_BytesBothWays_ResizeFrame_ExitCodeComesBack()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        using var socket = await world.AttachAsync(id, Ct);

        await PtyWorld.SendAsync(socket, "hello", Ct);
        await PtyWorld.ReadUntilAsync(socket, "hello", Ct);
        await socket.SendAsync("""{"type":"resize","cols":132,"rows":43}"""u8.ToArray(), WebSocketMessageType.Text, true, Ct);
        await Eventually.HoldsAsync(() => Task.FromResult(world.FakePty().Sizes[^1] == (132, 43)), "the resize frame reaches the terminal", Ct);
        var (_, during) = await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct);
        Assert.True((bool)during!["attached"]!);
        await PtyWorld.SendAsync(socket, "\rexit 3\r", Ct);
        var (last, closeStatus) = await PtyWorld.ReadToCloseAsync(socket, Ct);

        Assert.Equal("""{"type":"exit","exit_code":3}""", last);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, closeStatus);
        var (_, after) = await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct);
        Assert.Equal("exited", (string?)after!["status"]);
        Assert.Equal(3, (int)after["exit_code"]!);
        Assert.Equal(132, (int)after["cols"]!);
    }

    [Fact]
    public async Task Attach_ExitedPty_Is410()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        using (var socket = await world.AttachAsync(id, Ct))
        {
            await PtyWorld.SendAsync(socket, "exit 0\r", Ct);
            await PtyWorld.ReadToCloseAsync(socket, Ct);
        }

        var error = await Assert.ThrowsAsync<WebSocketException>(() => world.AttachAsync(id, Ct));
        var (resize, _) = await world.Client.PostJsonAsync($"{world.Base}/{id}/resize", new JsonObject { ["cols"] = 10, ["rows"] = 10 }, Ct);

        Assert.Contains("410", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, resize);
    }

    [Fact]
    public async Task Attach_Twice_TheNewSocketTakesOver()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        using var first = await world.AttachAsync(id, Ct);

        using var second = await world.AttachAsync(id, Ct);
        var (_, status) = await PtyWorld.ReadToCloseAsync(first, Ct);
        await PtyWorld.SendAsync(second, "still-here", Ct);

        Assert.Equal((WebSocketCloseStatus)4001, status);
        await PtyWorld.ReadUntilAsync(second, "still-here", Ct);
    }

    [Fact]
    public async Task KillingTheSession_EndsItsPtys()
    {
        await using var world = await PtyWorld.StartAsync(Ct);
        var id = (string)(await world.CreatePtyAsync(Ct))["pty_id"]!;
        using var socket = await world.AttachAsync(id, Ct);

        var (killed, _) = await world.Client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = world.SessionId }, Ct);
        var (last, _) = await PtyWorld.ReadToCloseAsync(socket, Ct);

        Assert.Equal(HttpStatusCode.OK, killed);
        Assert.True(world.FakePty().IsKilled);
        Assert.Equal("""{"type":"exit","exit_code":137}""", last);
        var (_, after) = await world.Client.GetJsonAsync($"{world.Base}/{id}", Ct);
        Assert.Equal("exited", (string?)after!["status"]);
    }
}
