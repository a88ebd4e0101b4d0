using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Capsule.Server.Tests.Auth;

public sealed class AuthTests
{
    private const string Refusal = """{"detail":"Invalid API key or session expired"}""";

    [Fact]
    public async Task Execute_NoKeyAnywhere_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var keyed = app.Client(app.AdminKey);
        var sessionId = await keyed.CreateSessionAsync(app.AdminKey, ct);
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        JsonShape.AssertJson(Refusal, body);
        Assert.Empty(app.Machines.Started);
    }

    [Fact]
    public async Task Execute_WrongHeaderKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var keyed = app.Client(app.AdminKey);
        var sessionId = await keyed.CreateSessionAsync(app.AdminKey, ct);
        using var client = app.Client("capsule_sk_not-a-real-key");

        var (status, body) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        JsonShape.AssertJson(Refusal, body);
    }

    [Fact]
    public async Task Execute_KeyInXApiKeyHeader_Accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Execute_KeyAsBearerToken_Accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);

        var (status, _) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Execute_KeyInBody_Accepted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (status, _) = await client.PostJsonAsync("/execute",
            new JsonObject { ["command"] = "1", ["session_id"] = sessionId, ["api_key"] = app.AdminKey }, ct);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Status_BearerToken_AcceptedAndNoKeyRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var sessionId = await client.CreateSessionAsync(app.AdminKey, ct);

        var (withoutKey, body) = await client.GetJsonAsync($"/v1/sessions/status/{sessionId}", ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/status/{sessionId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);
        var (withBearer, _) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey);
        JsonShape.AssertJson(Refusal, body);
        Assert.Equal(HttpStatusCode.OK, withBearer);
    }

    [Fact]
    public async Task Kill_NoKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = Guid.NewGuid().ToString() }, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        JsonShape.AssertJson(Refusal, body);
    }

    [Fact]
    public async Task Create_WrongBodyKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = "wrong" }, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        JsonShape.AssertJson(Refusal, body);
    }

    [Fact]
    public async Task Create_BodyKeyMissingEvenWithHeader_Returns422Missing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(app.AdminKey);

        var (status, body) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["vm_lifetime_seconds"] = 60 }, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson("""{"detail":[{"type":"missing","loc":["body","api_key"],"msg":"Field required","input":{"vm_lifetime_seconds":60}}]}""", body);
    }

    [Fact]
    public async Task AnyEndpoint_RevokedKey_Returns401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (keyId, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(key);
        var sessionId = await client.CreateSessionAsync(key, ct);
        await client.ExecuteOkAsync(sessionId, "x = 1", ct);

        Assert.True(await app.Services.GetRequiredService<Capsule.Server.Auth.ApiKeyService>()
            .RevokeAsync(keyId, ct).WaitAsync(TimeSpan.FromSeconds(30), ct));

        var (execute, _) = await client.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);
        var (status, _) = await client.GetJsonAsync($"/v1/sessions/status/{sessionId}", ct);
        var (kill, _) = await client.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);
        var (create, _) = await client.PostJsonAsync("/v1/sessions/session", new JsonObject { ["api_key"] = key }, ct);
        Assert.Equal(HttpStatusCode.Unauthorized, execute);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.Unauthorized, kill);
        Assert.Equal(HttpStatusCode.Unauthorized, create);
    }

    [Fact]
    public async Task EveryEndpoint_AnotherKeysSession_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var owner = app.Client(app.AdminKey);
        var sessionId = await owner.CreateSessionAsync(app.AdminKey, ct);
        await owner.ExecuteOkAsync(sessionId, "x = 1", ct);
        var (_, otherKey) = await app.CreateKeyAsync(ct);
        using var other = app.Client(otherKey);

        var (execute, executeBody) = await other.PostJsonAsync("/execute", new JsonObject { ["command"] = "1", ["session_id"] = sessionId }, ct);
        var (status, statusBody) = await other.GetJsonAsync($"/v1/sessions/status/{sessionId}", ct);
        var (kill, killBody) = await other.PostJsonAsync("/kill", new JsonObject { ["session_id"] = sessionId }, ct);

        Assert.Equal(HttpStatusCode.NotFound, execute);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.NotFound, kill);
        const string notFound = """{"detail":"Session not found"}""";
        JsonShape.AssertJson(notFound, executeBody);
        JsonShape.AssertJson(notFound, statusBody);
        JsonShape.AssertJson(notFound, killBody);
        Assert.False(app.Machines.Last.IsDisposed);
        Assert.Single(app.Machines.Last.Execs);
    }

    [Fact]
    public async Task Execute_HeaderKeyTakesPrecedenceOverBodyKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client("capsule_sk_wrong");
        using var keyed = app.Client(app.AdminKey);
        var sessionId = await keyed.CreateSessionAsync(app.AdminKey, ct);

        using var content = new StringContent(
            new JsonObject { ["command"] = "1", ["session_id"] = sessionId, ["api_key"] = app.AdminKey }.ToJsonString(),
            Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/execute") { Content = content };
        var (status, _) = await client.SendRawAsync(request, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
