namespace Capsule.Server.Tests.Sessions;

public sealed class SandboxListTests
{
    private static async Task<string> CreateAsync(CapsuleApp app, HttpClient client, string key, string metadataJson, CancellationToken ct)
    {
        var id = await client.CreateSessionAsync(key, ct, new JsonObject { ["metadata"] = JsonNode.Parse(metadataJson) });
        app.Time.Advance(TimeSpan.FromSeconds(1));
        return id;
    }

    private static async Task<List<string>> ListIdsAsync(HttpClient client, string query, CancellationToken ct)
    {
        var (status, body) = await client.GetJsonAsync($"/v1/sessions/sandboxes{query}", ct);
        Assert.True(status == HttpStatusCode.OK, $"{status} {body}");
        return [.. body!.AsArray().Select(s => (string)s!["sandbox_id"]!)];
    }

    [Fact]
    public async Task List_ExactShapeNewestFirst()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var older = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["vcpu_count"] = 4 });
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var newer = await client.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["metadata"] = new JsonObject { ["a"] = 1 } });
        await client.ExecuteOkAsync(newer, "1", ct);

        var (status, body) = await client.GetJsonAsync("/v1/sessions/sandboxes", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertJson($$"""
            [
              {"sandbox_id":"{{newer}}","template_id":"snap2","name":"snap2","metadata":{"a":1},"started_at":"2025-01-10T12:34:57",
               "end_at":"2025-01-10T12:39:57","status":"active","vcpu_count":2,"memory_mb":512},
              {"sandbox_id":"{{older}}","template_id":"snap4","name":"snap4","metadata":{},"started_at":"2025-01-10T12:34:56",
               "end_at":null,"status":"created","vcpu_count":4,"memory_mb":512}
            ]
            """, body);
    }

    [Fact]
    public async Task List_MetadataFilter_ContainmentSemantics()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var key = app.AdminKey;
        var prod = await CreateAsync(app, client, key, """{"env":"prod","team":"ml","cfg":{"gpu":true,"zone":{"name":"eu"}},"tags":["x","y"],"n":1}""", ct);
        var dev = await CreateAsync(app, client, key, """{"env":"dev","team":"ml","cfg":{"gpu":false,"zone":{"name":"us"}},"tags":["y"],"n":1.0}""", ct);
        var bare = await CreateAsync(app, client, key, "{}", ct);

        Assert.Equal([bare, dev, prod], await ListIdsAsync(client, "", ct));
        Assert.Equal([bare, dev, prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("{}"), ct));
        Assert.Equal([prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"env":"prod"}"""), ct));
        Assert.Equal([dev, prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"team":"ml"}"""), ct));
        // Several keys: all must match.
        Assert.Equal([dev], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"team":"ml","env":"dev"}"""), ct));
        // Nested objects match by containment, at any depth.
        Assert.Equal([prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"cfg":{"zone":{"name":"eu"}}}"""), ct));
        Assert.Equal([dev], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"cfg":{"gpu":false}}"""), ct));
        // Arrays contain the given elements, in any order.
        Assert.Equal([dev, prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"tags":["y"]}"""), ct));
        Assert.Equal([prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"tags":["y","x"]}"""), ct));
        // Numbers compare by value; types must agree.
        Assert.Equal([dev, prod], await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"n":1}"""), ct));
        Assert.Empty(await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"n":"1"}"""), ct));
        // No match.
        Assert.Empty(await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"env":"staging"}"""), ct));
        Assert.Empty(await ListIdsAsync(client, "?metadata=" + Uri.EscapeDataString("""{"cfg":{"zone":{"name":"eu","extra":1}}}"""), ct));
    }

    [Fact]
    public async Task List_LimitAppliesAfterFiltering()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var key = app.AdminKey;
        var a = await CreateAsync(app, client, key, """{"k":"yes"}""", ct);
        var b = await CreateAsync(app, client, key, """{"k":"yes"}""", ct);
        await CreateAsync(app, client, key, """{"k":"no"}""", ct);
        await CreateAsync(app, client, key, """{"k":"no"}""", ct);
        var c = await CreateAsync(app, client, key, """{"k":"yes"}""", ct);

        Assert.Equal([c, b], await ListIdsAsync(client, "?limit=2&metadata=" + Uri.EscapeDataString("""{"k":"yes"}"""), ct));
        Assert.Equal([c, b, a], await ListIdsAsync(client, "?limit=1000&metadata=" + Uri.EscapeDataString("""{"k":"yes"}"""), ct));
    }

    [Fact]
    public async Task List_OnlyTheCallersSessions()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);
        var mine = await admin.CreateSessionAsync(app.AdminKey, ct, new JsonObject { ["metadata"] = new JsonObject { ["x"] = 1 } });
        var theirs = await other.CreateSessionAsync(otherKey, ct, new JsonObject { ["metadata"] = new JsonObject { ["x"] = 1 } });

        Assert.Equal([mine], await ListIdsAsync(admin, "", ct));
        Assert.Equal([theirs], await ListIdsAsync(other, "?metadata=" + Uri.EscapeDataString("""{"x":1}"""), ct));
    }

    [Theory]
    [InlineData("?metadata=not-json", "not-json")]
    [InlineData("?metadata=%5B1%5D", "[1]")]
    public async Task List_MetadataNotAJsonObject_Returns422(string query, string input)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync($"/v1/sessions/sandboxes{query}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var error = Assert.Single(body!["detail"]!.AsArray());
        Assert.Equal("value_error", (string?)error!["type"]);
        JsonShape.AssertJson("""["query","metadata"]""", error["loc"]);
        Assert.Equal(input, (string?)error["input"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("x")]
    public async Task List_LimitOutOfRange_Returns422(string limit)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.GetJsonAsync($"/v1/sessions/sandboxes?limit={limit}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""["query","limit"]""", Assert.Single(body!["detail"]!.AsArray())!["loc"]);
    }
}
