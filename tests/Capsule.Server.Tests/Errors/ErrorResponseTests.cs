using Capsule.Vm;

namespace Capsule.Server.Tests.Errors;

public sealed class ErrorResponseTests
{
    [Fact]
    public async Task UnknownRoute_Returns404NotFoundDetail()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync("/v1/nothing/here", ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        JsonShape.AssertJson("""{"detail":"Not Found"}""", body);
    }

    [Fact]
    public async Task WrongMethod_Returns405MethodNotAllowedDetail()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync("/execute", ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        JsonShape.AssertJson("""{"detail":"Method Not Allowed"}""", body);
    }

    [Fact]
    public async Task UnexpectedException_Returns500WithoutStackTrace()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("boom", (_, _, _) => throw new InvalidOperationException("secret internal state at /srv/x"));
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/execute")
        {
            Content = new StringContent(new JsonObject { ["command"] = "boom", ["session_id"] = sessionId }.ToJsonString(),
                System.Text.Encoding.UTF8, "application/json"),
        };
        var (status, text) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("""{"detail":"Internal server error"}""", text);
    }

    [Fact]
    public async Task MachineStartFailed_Returns503WithAPublicDetailOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        app.Machines.FailNextStart = new MachineException(MachineErrorCode.StartFailed,
            "Machine vm-1 failed while loading the snapshot: QEMU exited with code 1.",
            hostDetail: "QEMU said:\nqemu-system-x86_64: /dev/shm/capsule/snapshots/k/snap2/state: unexpected end\nLast console lines:\n[ 0.1] secret");

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        JsonShape.AssertJson("""{"detail":"The VM could not be started; try again later"}""", body);
        var statusView = await client.StatusOkAsync(sessionId, ct);
        Assert.Null(statusView["vm_status"]);
    }

    [Fact]
    public async Task Create_HostAtCapacity_Returns503WithTheReasonAndStoresNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        app.Machines.CapacityRefusal = "16 of 16 machines running";
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = app.AdminKey }, ct);
        var (_, listed) = await client.GetJsonAsync("/v1/sessions/sandboxes", ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        JsonShape.AssertJson("""{"detail":"This host has no capacity for another VM right now; try again later"}""", body);
        JsonShape.AssertJson("[]", listed);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task CapacityExhaustedAtCreateWithEnv_Returns503()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.FailNextStart = new MachineException(MachineErrorCode.CapacityExhausted, "16 machines running");

        var (status, body) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["env"] = new JsonObject { ["A"] = "1" } }, ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        JsonShape.AssertJson("""{"detail":"This host has no capacity for another VM right now; try again later"}""", body);
    }

    [Fact]
    public async Task MachineGoneDuringExecute_Returns503AndNextExecuteRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        app.Machines.Script("die", (machine, _, _) =>
        {
            machine.Crash("guest kernel panic");
            throw new MachineException(MachineErrorCode.MachineGone, "agent connection closed");
        });
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "die", ["session_id"] = sessionId }, ct);
        await Eventually.HoldsAsync(async () =>
            (string?)(await client.StatusOkAsync(sessionId, ct))["vm_status"] == "crashed", "status says crashed", ct);
        await client.ExecuteOkAsync(sessionId, "print(1)", ct);

        Assert.True(status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict, $"{status} {body}");
        Assert.Equal(JsonValueKind.String, body!["detail"]!.GetValueKind());
        Assert.Equal(2, app.Machines.Started.Count);
    }
}
