namespace Capsule.Server.Tests.Sessions;

public sealed class CreateSessionTests
{
    [Fact]
    public async Task Create_ValidBody_ReturnsOnlyAUuidSessionId()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.PostJsonAsync("/v1/sessions/session",
            new JsonObject { ["api_key"] = app.AdminKey, ["vm_lifetime_seconds"] = 60 }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, ("session_id", JsonValueKind.String));
        Assert.True(Guid.TryParseExact((string?)body!["session_id"], "D", out _));
    }

    [Fact]
    public async Task Create_WithoutEnv_StartsNoMachine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        var status = await client.StatusOkAsync(sessionId, ct);

        Assert.Empty(app.Machines.Started);
        Assert.False((bool)status["vm_assigned"]!);
        Assert.Null(status["vm_status"]);
    }

    [Fact]
    public async Task Create_EmptyEnv_StartsNoMachine()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["env"] = new JsonObject() });

        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Create_WithEnv_StartsMachineWithThatEnvBeforeAnswering()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject
        {
            ["env"] = new JsonObject { ["FOO"] = "bar-42", ["EMPTY"] = "" },
            ["vcpu_count"] = 4,
            ["memory_mb"] = 1024,
        });

        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "bar-42", ["EMPTY"] = "" }, machine.Env);
        Assert.Equal(4, machine.Spec.VcpuCount);
        Assert.Equal(1024, machine.Spec.MemoryMb);
        var status = await client.StatusOkAsync(sessionId, ct);
        Assert.Equal("active", (string?)status["vm_status"]);
        Assert.Equal(machine.MachineId, (string?)status["vm_id"]);
    }

    [Fact]
    public async Task Create_OptionalFieldsNullOrAbsent_UsesDefaults()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject
        {
            ["vm_lifetime_seconds"] = null,
            ["memory_mb"] = null,
            ["metadata"] = null,
            ["env"] = null,
        });
        await client.ExecuteOkAsync(sessionId, "print(1)", ct);
        var status = await client.StatusOkAsync(sessionId, ct);

        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(2, machine.Spec.VcpuCount);
        Assert.Equal(512, machine.Spec.MemoryMb);
        Assert.Empty(machine.Env);
        Assert.Equal(300.0, (double)status["expires_in_seconds"]!);
    }

    [Fact]
    public async Task Create_NumbersAsStringsAndUnknownFields_AcceptedLikePydantic()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject
        {
            ["memory_mb"] = "256",
            ["vcpu_count"] = "1",
            ["vm_lifetime_seconds"] = 60.0,
            ["surprise"] = true,
            ["metadata"] = new JsonObject { ["team"] = "x", ["n"] = 3 },
        });
        await client.ExecuteOkAsync(sessionId, "print(1)", ct);

        var machine = Assert.Single(app.Machines.Started);
        Assert.Equal(1, machine.Spec.VcpuCount);
        Assert.Equal(256, machine.Spec.MemoryMb);
    }

    [Theory]
    [InlineData("1e2", 100.0)]
    [InlineData("100.0", 100.0)]
    [InlineData("\"100\"", 100.0)]
    public async Task Create_IntegralNumberForms_AcceptedAsThatInteger(string lifetime, double expected)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostRawAsync("/v1/sessions/session",
            $$"""{"api_key":"{{app.AdminKey}}","vm_lifetime_seconds":{{lifetime}}}""", ct);
        var sessionId = (string)body!["session_id"]!;
        await client.ExecuteOkAsync(sessionId, "1", ct);
        var view = await client.StatusOkAsync(sessionId, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, (double)view["expires_in_seconds"]!);
    }

    [Fact]
    public async Task Create_HugeInteger_Returns422LessThanEqual()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostRawAsync("/v1/sessions/session",
            $$"""{"api_key":"{{app.AdminKey}}","vm_lifetime_seconds":1e30}""", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("less_than_equal", (string?)body!["detail"]![0]!["type"]);
    }
}
