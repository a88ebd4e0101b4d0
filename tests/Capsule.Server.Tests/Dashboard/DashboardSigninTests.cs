using System.Text;

namespace Capsule.Server.Tests.Dashboard;

/// <summary>
/// The dashboard's sign-in: a key exchanged once for an HttpOnly, SameSite=Strict cookie whose requests must also carry
/// the sign-in's CSRF token; the cookie then works on the public API like a key, and only with that header.
/// </summary>
public sealed class DashboardSigninTests
{
    private const string CsrfHeader = "X-Capsule-Csrf";

    private sealed record Signin(string Cookie, string Csrf, JsonNode Body);

    private static async Task<Signin> SignInAsync(HttpClient client, string key, CancellationToken ct)
    {
        using var content = new StringContent(new JsonObject { ["api_key"] = key }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri("/ui/api/signin", UriKind.Relative), content, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"signin: {response.StatusCode} {text}");
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        var body = JsonNode.Parse(text)!;
        return new Signin(setCookie.Split(';')[0], (string)body["csrf_token"]!, body);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, Signin? signin, bool withCsrf = true, JsonNode? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (signin is not null)
        {
            request.Headers.Add("Cookie", signin.Cookie);
            if (withCsrf)
                request.Headers.Add(CsrfHeader, signin.Csrf);
        }
        if (json is not null)
            request.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    [Fact]
    public async Task Signin_GoodKey_SetsAStrictHttpOnlyCookieAndAnswersTheCsrfToken()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        using var content = new StringContent(new JsonObject { ["api_key"] = app.AdminKey }.ToJsonString(), Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("/ui/api/signin", UriKind.Relative), content, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("capsule_dashboard=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(app.AdminKey, cookie, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct));
        JsonShape.AssertExactly(body, ("csrf_token", JsonValueKind.String), ("key_id", JsonValueKind.String),
            ("is_admin", JsonValueKind.True), ("expires_at", JsonValueKind.String));
        Assert.Equal("2025-01-11T00:34:56", (string?)body!["expires_at"]); // 12 h after the sign-in
    }

    [Fact]
    public async Task Signin_WrongKey_Is401WithInstaVmsDetailAndNoCookie()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        using var content = new StringContent("""{"api_key":"capsule_sk_wrong"}""", Encoding.UTF8, "application/json");

        using var response = await client.PostAsync(new Uri("/ui/api/signin", UriKind.Relative), content, ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        JsonShape.AssertJson("""{"detail":"Invalid API key or session expired"}""", JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)));
    }

    [Fact]
    public async Task Signin_NoKey_Is422WithTheFieldNamed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);

        var (status, body) = await client.PostRawAsync("/ui/api/signin", "{}", ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("api_key", (string?)body!["detail"]![0]!["loc"]![1]);
    }

    [Fact]
    public async Task Cookie_WithCsrfHeader_WorksOnThePublicApi_AndWithoutItIs401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var signin = await SignInAsync(client, app.AdminKey, ct);
        using var keyed = app.Client(app.AdminKey);
        var sessionId = await keyed.CreateSessionAsync(app.AdminKey, ct);

        using var withCsrf = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin);
        var (okStatus, okText) = await client.SendRawAsync(withCsrf, ct);
        using var without = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin, withCsrf: false);
        var (refusedStatus, _) = await client.SendRawAsync(without, ct);
        using var wrongCsrf = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin with { Csrf = "not-the-token" });
        var (wrongStatus, _) = await client.SendRawAsync(wrongCsrf, ct);

        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Contains(sessionId, okText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStatus);
    }

    [Fact]
    public async Task Create_SignedIn_NeedsNoBodyKey_AndTheSessionBelongsToTheSignedInKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (keyId, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(apiKey: null);
        var signin = await SignInAsync(client, key, ct);

        using var create = Request(HttpMethod.Post, "/v1/sessions/session", signin, json: new JsonObject { ["vcpu_count"] = 2 });
        var (status, text) = await client.SendRawAsync(create, ct);
        using var anonymous = Request(HttpMethod.Post, "/v1/sessions/session", signin: null, json: new JsonObject());
        var (anonymousStatus, anonymousText) = await client.SendRawAsync(anonymous, ct);

        Assert.Equal(HttpStatusCode.OK, status);
        var sessionId = (string)JsonNode.Parse(text)!["session_id"]!;
        using var owner = app.Client(key);
        var (ownerStatus, _) = await owner.GetJsonAsync($"/v1/sessions/session/{sessionId}", ct);
        Assert.Equal(HttpStatusCode.OK, ownerStatus);
        Assert.Equal(keyId, (string?)signin.Body["key_id"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, anonymousStatus);
        Assert.Contains("api_key", anonymousText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_EndsItsSignins()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (keyId, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(apiKey: null);
        var signin = await SignInAsync(client, key, ct);
        using var admin = app.Client(app.AdminKey);

        using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/v1/api-keys/{keyId}");
        var (revoked, _) = await admin.SendRawAsync(revoke, ct);
        using var after = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin);
        var (status, _) = await client.SendRawAsync(after, ct);
        using var me = Request(HttpMethod.Get, "/ui/api/me", signin, withCsrf: false);
        var (meStatus, _) = await client.SendRawAsync(me, ct);

        Assert.Equal(HttpStatusCode.OK, revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.Unauthorized, meStatus);
    }

    [Fact]
    public async Task Me_GivesTheSigninBackFromTheCookie_AndSignoutEndsIt()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        using var client = app.Client(apiKey: null);
        var signin = await SignInAsync(client, app.AdminKey, ct);

        using var me = Request(HttpMethod.Get, "/ui/api/me", signin, withCsrf: false);
        var (meStatus, meText) = await client.SendRawAsync(me, ct);
        using var signoutWithoutCsrf = Request(HttpMethod.Post, "/ui/api/signout", signin, withCsrf: false);
        var (refusedStatus, _) = await client.SendRawAsync(signoutWithoutCsrf, ct);
        using var signout = Request(HttpMethod.Post, "/ui/api/signout", signin);
        var (signoutStatus, _) = await client.SendRawAsync(signout, ct);
        using var afterwards = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin);
        var (afterStatus, _) = await client.SendRawAsync(afterwards, ct);

        Assert.Equal(HttpStatusCode.OK, meStatus);
        Assert.Equal(signin.Csrf, (string?)JsonNode.Parse(meText)!["csrf_token"]);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedStatus);
        Assert.Equal(HttpStatusCode.NoContent, signoutStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, afterStatus);
    }

    [Fact]
    public async Task Signin_EndsAfterItsLifetime()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Dashboard:Lifetime"] = "01:00:00" });
        using var client = app.Client(apiKey: null);
        var signin = await SignInAsync(client, app.AdminKey, ct);

        app.Time.Advance(TimeSpan.FromMinutes(59));
        using var before = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin);
        var (beforeStatus, _) = await client.SendRawAsync(before, ct);
        app.Time.Advance(TimeSpan.FromMinutes(2));
        using var after = Request(HttpMethod.Get, "/v1/sessions/sandboxes", signin);
        var (afterStatus, _) = await client.SendRawAsync(after, ct);

        Assert.Equal(HttpStatusCode.OK, beforeStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, afterStatus);
    }

    [Fact]
    public async Task HostPage_IsForAdminKeysOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp();
        var (_, key) = await app.CreateKeyAsync(ct);
        using var client = app.Client(apiKey: null);
        var admin = await SignInAsync(client, app.AdminKey, ct);
        var plain = await SignInAsync(client, key, ct);

        using var asAdmin = Request(HttpMethod.Get, "/ui/api/host", admin);
        var (adminStatus, adminText) = await client.SendRawAsync(asAdmin, ct);
        using var asPlain = Request(HttpMethod.Get, "/ui/api/host", plain);
        var (plainStatus, _) = await client.SendRawAsync(asPlain, ct);

        Assert.Equal(HttpStatusCode.OK, adminStatus);
        Assert.NotNull(JsonNode.Parse(adminText)!["capacity"]);
        Assert.Equal(HttpStatusCode.Forbidden, plainStatus);
    }
}
