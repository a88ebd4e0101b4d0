using System.Net.Http.Headers;
using System.Text;

namespace Capsule.Server.Tests.Auth;

public sealed class ApiKeyEndpointTests
{
    private static readonly (string, JsonValueKind)[] KeyShape =
    [
        ("id", JsonValueKind.String), ("description", JsonValueKind.String), ("is_admin", JsonValueKind.False),
        ("created_at", JsonValueKind.String), ("revoked_at", JsonValueKind.Null), ("key_prefix", JsonValueKind.String),
    ];

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var (status, text) = await client.SendRawAsync(request, ct);
        return (status, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Create_AsAdmin_Returns201WithTheKeyOnceAndTheKeyWorks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);

        var (status, created) = await admin.PostJsonAsync("/v1/api-keys/", new JsonObject { ["description"] = "ci runner" }, ct);

        Assert.Equal(HttpStatusCode.Created, status);
        JsonShape.AssertExactly(created, ("id", JsonValueKind.String), ("api_key", JsonValueKind.String), ("description", JsonValueKind.String),
            ("is_admin", JsonValueKind.False), ("created_at", JsonValueKind.String));
        var key = (string)created!["api_key"]!;
        Assert.StartsWith("capsule_sk_", key, StringComparison.Ordinal);
        Assert.Equal("ci runner", (string?)created["description"]);
        Assert.Equal("2025-01-10T12:34:56", (string?)created["created_at"]);
        using var fresh = app.Client(key);
        var sessionId = await fresh.CreateSessionAsync(key, ct);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetJsonAsync($"/v1/sessions/status/{sessionId}", ct)).Status);

        var (_, listed) = await admin.GetJsonAsync($"/v1/api-keys/{created["id"]}", ct);
        JsonShape.AssertExactly(listed, KeyShape);
        Assert.Equal(key[..15], (string?)listed!["key_prefix"]);
        Assert.DoesNotContain(key, listed.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_EmptyBody_DefaultsAndAdminFlag()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);

        var (status, created) = await SendAsync(admin, HttpMethod.Post, "/v1/api-keys/", null, ct);
        var (_, adminKey) = await admin.PostJsonAsync("/v1/api-keys/", new JsonObject { ["is_admin"] = true }, ct);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("", (string?)created!["description"]);
        Assert.False((bool)created["is_admin"]!);
        Assert.True((bool)adminKey!["is_admin"]!);
    }

    [Fact]
    public async Task Create_AsNonAdmin_Returns403()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (_, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(key);

        var (status, body) = await client.PostJsonAsync("/v1/api-keys/", new JsonObject { ["description"] = "mine" }, ct);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        JsonShape.AssertJson("""{"detail":"Only an admin API key can create API keys"}""", body);
    }

    [Fact]
    public async Task Create_DescriptionTooLong_Returns422()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);
        var description = new string('d', 257);

        var (status, body) = await admin.PostJsonAsync("/v1/api-keys/", new JsonObject { ["description"] = description }, ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        JsonShape.AssertJson($$$"""
            {"detail":[{"type":"string_too_long","loc":["body","description"],"msg":"String should have at most 256 characters",
              "input":"{{{description}}}","ctx":{"max_length":256}}]}
            """, body);
    }

    [Fact]
    public async Task List_AdminSeesAll_NonAdminSeesOnlyItself()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);
        var (aId, aKey) = await app.CreateKeyAsync(ct);
        var (bId, _) = await app.CreateKeyAsync(ct);
        using var a = app.Client(aKey);

        var (adminStatus, all) = await admin.GetJsonAsync("/v1/api-keys/", ct);
        var (aStatus, own) = await a.GetJsonAsync("/v1/api-keys", ct);

        Assert.Equal(HttpStatusCode.OK, adminStatus);
        Assert.Equal(3, all!.AsArray().Count);
        Assert.Contains(aId, all.AsArray().Select(k => (string)k!["id"]!));
        Assert.Contains(bId, all.AsArray().Select(k => (string)k!["id"]!));
        Assert.Equal(HttpStatusCode.OK, aStatus);
        var only = Assert.Single(own!.AsArray());
        JsonShape.AssertExactly(only, KeyShape);
        Assert.Equal(aId, (string?)only!["id"]);
    }

    [Fact]
    public async Task GetPatchDelete_AnotherKeysKeyAsNonAdmin_Returns404()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (_, aKey) = await app.CreateKeyAsync(ct);
        var (bId, bKey) = await app.CreateKeyAsync(ct);
        using var a = app.Client(aKey);

        var (get, getBody) = await a.GetJsonAsync($"/v1/api-keys/{bId}", ct);
        var (patch, _) = await SendAsync(a, HttpMethod.Patch, $"/v1/api-keys/{bId}", """{"description":"mine now"}""", ct);
        var (delete, _) = await SendAsync(a, HttpMethod.Delete, $"/v1/api-keys/{bId}", null, ct);
        using var b = app.Client(bKey);

        Assert.Equal(HttpStatusCode.NotFound, get);
        JsonShape.AssertJson("""{"detail":"API key not found"}""", getBody);
        Assert.Equal(HttpStatusCode.NotFound, patch);
        Assert.Equal(HttpStatusCode.NotFound, delete);
        Assert.Equal("test key", (string?)(await b.GetJsonAsync($"/v1/api-keys/{bId}", ct)).Body!["description"]);
    }

    [Fact]
    public async Task Patch_OwnKey_ChangesDescription()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (id, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(key);

        var (status, body) = await SendAsync(client, HttpMethod.Patch, $"/v1/api-keys/{id}", """{"description":"renamed"}""", ct);
        var (_, after) = await client.GetJsonAsync($"/v1/api-keys/{id}", ct);
        var (missing, missingBody) = await SendAsync(client, HttpMethod.Patch, $"/v1/api-keys/{id}", "{}", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertExactly(body, KeyShape);
        Assert.Equal("renamed", (string?)body!["description"]);
        Assert.Equal("renamed", (string?)after!["description"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing);
        JsonShape.AssertJson("""{"detail":[{"type":"missing","loc":["body","description"],"msg":"Field required","input":{}}]}""", missingBody);
    }

    [Fact]
    public async Task Delete_RevokesAtOnce_KeyGets401_Idempotent()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);
        var (id, key) = await app.CreateKeyAsync(ct);
        using var victim = app.Client(key);
        var sessionId = await victim.CreateSessionAsync(key, ct);

        var (status, body) = await SendAsync(admin, HttpMethod.Delete, $"/v1/api-keys/{id}", null, ct);
        var (after, afterBody) = await victim.GetJsonAsync($"/v1/sessions/status/{sessionId}", ct);
        var (again, againBody) = await SendAsync(admin, HttpMethod.Delete, $"/v1/api-keys/{id}", null, ct);
        var (_, listed) = await admin.GetJsonAsync($"/v1/api-keys/{id}", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        JsonShape.AssertJson($$"""{"status":"revoked","id":"{{id}}"}""", body);
        Assert.Equal(HttpStatusCode.Unauthorized, after);
        JsonShape.AssertJson("""{"detail":"Invalid API key or session expired"}""", afterBody);
        Assert.Equal(HttpStatusCode.OK, again);
        JsonShape.AssertJson($$"""{"status":"revoked","id":"{{id}}"}""", againBody);
        Assert.Equal("2025-01-10T12:34:56", (string?)listed!["revoked_at"]);
    }

    [Fact]
    public async Task Delete_OwnKeyAsNonAdmin_Revokes()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (id, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(key);

        var (status, _) = await SendAsync(client, HttpMethod.Delete, $"/v1/api-keys/{id}", null, ct);
        var (after, _) = await client.GetJsonAsync("/v1/api-keys/", ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.Unauthorized, after);
    }

    [Fact]
    public async Task Delete_LastAdminKey_Returns409_WithAnotherAdmin_Allowed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);
        var (_, self) = await admin.GetJsonAsync("/v1/api-keys/", ct);
        var adminId = (string)self!.AsArray().Single(k => (bool)k!["is_admin"]!)!["id"]!;

        var (refused, refusedBody) = await SendAsync(admin, HttpMethod.Delete, $"/v1/api-keys/{adminId}", null, ct);
        var (_, second) = await admin.PostJsonAsync("/v1/api-keys/", new JsonObject { ["is_admin"] = true }, ct);
        var (allowed, _) = await SendAsync(admin, HttpMethod.Delete, $"/v1/api-keys/{adminId}", null, ct);
        using var next = app.Client((string)second!["api_key"]!);
        var (works, _) = await next.GetJsonAsync("/v1/api-keys/", ct);

        Assert.Equal(HttpStatusCode.Conflict, refused);
        JsonShape.AssertJson("""{"detail":"Cannot revoke the last admin API key; create another admin key first"}""", refusedBody);
        Assert.Equal(HttpStatusCode.OK, allowed);
        Assert.Equal(HttpStatusCode.OK, works);
    }

    [Fact]
    public async Task Keys_NoKey_Returns401_BearerWorks()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var anonymous = app.Client(apiKey: null);
        using var bearer = app.Client(apiKey: null);
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.AdminKey);

        var (status, _) = await anonymous.GetJsonAsync("/v1/api-keys/", ct);
        var (bearerStatus, _) = await bearer.GetJsonAsync("/v1/api-keys/", ct);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.OK, bearerStatus);
    }
}
