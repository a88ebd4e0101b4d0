using Capsule.Server.Store;

namespace Capsule.Server.Tests.Shares;

/// <summary>
/// Browsers into private shares: the owner's key buys a one-time token (<c>POST /v1/shares/{share_id}/token</c>) that
/// the apps origin exchanges, once and briefly, for an HttpOnly cookie scoped to that share.
/// </summary>
public sealed class ShareTokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_OpenedOnce_SetsAScopedHttpOnlyCookieAndRedirectsWithoutTheToken()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);

        var answer = await AppsOrigin.TokenAsync(api, id, Ct);
        var token = (string)answer["token"]!;
        var (status, _, headers) = await AppsOrigin.GetAsync(apps, $"{url}page?a=1&capsule_share_token={token}&b=2", Ct);
        var cookie = Assert.Single(headers.GetValues("Set-Cookie"));
        var pair = cookie.Split(';')[0];
        var (opened, echoed, _) = await AppsOrigin.GetAsync(apps, url + "page", Ct, ("Cookie", $"theirs=1; {pair}"));

        JsonShape.AssertExactly(answer, ("share_id", JsonValueKind.String), ("token", JsonValueKind.String), ("url", JsonValueKind.String),
            ("expires_in_seconds", JsonValueKind.Number), ("expires_at", JsonValueKind.String));
        Assert.Equal($"{url}?capsule_share_token={token}", (string?)answer["url"]);
        Assert.Equal(60, (int)answer["expires_in_seconds"]!);
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal($"/{id}/page?a=1&b=2", headers.Location!.OriginalString);
        Assert.Equal("no-store", headers.CacheControl!.ToString());
        Assert.Equal("no-referrer", Assert.Single(headers.GetValues("Referrer-Policy")));
        Assert.StartsWith("capsule_share=", pair, StringComparison.Ordinal);
        Assert.DoesNotContain(token, cookie, StringComparison.Ordinal);
        Assert.Contains("; httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"; path=/{id}/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, opened);
        Assert.Equal("/page", (string?)echoed!["path"]);
        Assert.Equal("theirs=1", (string?)echoed["headers"]!["cookie"]);
        Assert.Equal(1, upstream.Requests);
    }

    [Fact]
    public async Task Token_DomainMode_CookieIsForTheSharesOwnHost()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Shares:Domain"] = "apps.example.test" });
        using var api = app.Client(app.AdminKey);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);
        using var apps = AppsOrigin.Client(app, url);

        var token = (string)(await AppsOrigin.TokenAsync(api, id, Ct))["token"]!;
        var (status, _, headers) = await AppsOrigin.GetAsync(apps, $"/deep/page?capsule_share_token={token}", Ct);
        var cookie = Assert.Single(headers.GetValues("Set-Cookie"));
        var (opened, echoed, _) = await AppsOrigin.GetAsync(apps, "/deep/page", Ct, ("Cookie", cookie.Split(';')[0]));

        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Equal("/deep/page", headers.Location!.OriginalString);
        Assert.Contains("; path=/;", cookie + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, opened);
        Assert.Equal("/deep/page", (string?)echoed!["path"]);
    }

    [Fact]
    public async Task Token_HttpsAppsUrl_CookieIsSecure()
    {
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Apps:Url"] = "https://127.0.0.1:8443" });
        using var api = app.Client(app.AdminKey);
        // A TLS proxy in front forwards plain HTTP: the cookie is Secure because the apps URL is https.
        using var apps = AppsOrigin.Client(app, "http://127.0.0.1:8443/", port: 8443);
        var sessionId = await api.CreateSessionAsync(app.AdminKey, Ct);
        var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, 8000, isPublic: false, Ct);

        var token = (string)(await AppsOrigin.TokenAsync(api, id, Ct))["token"]!;
        var (status, _, headers) = await AppsOrigin.GetAsync(apps, $"/{id}/?capsule_share_token={token}", Ct);

        Assert.Equal($"https://127.0.0.1:8443/{id}/", url);
        Assert.Equal(HttpStatusCode.SeeOther, status);
        Assert.Contains("; secure", Assert.Single(headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Token_SecondUse_Is401AndNeverReachesTheGuest()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, _) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);
        var tokenUrl = (string)(await AppsOrigin.TokenAsync(api, id, Ct))["url"]!;

        var (first, _, _) = await AppsOrigin.GetAsync(apps, tokenUrl, Ct);
        var (second, body, headers) = await AppsOrigin.GetAsync(apps, tokenUrl, Ct);

        Assert.Equal(HttpStatusCode.SeeOther, first);
        Assert.Equal(HttpStatusCode.Unauthorized, second);
        Assert.Equal("The share token is used, expired or for another share; ask POST /v1/shares/{share_id}/token for a new one", (string?)body!["detail"]);
        Assert.False(headers.Contains("Set-Cookie"));
        Assert.Equal(0, upstream.Requests);
    }

    [Fact]
    public async Task Token_AfterItsLifetime_Is401()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, _) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);
        var early = (string)(await AppsOrigin.TokenAsync(api, id, Ct))["url"]!;
        var late = (string)(await AppsOrigin.TokenAsync(api, id, Ct))["url"]!;

        app.Time.Advance(TimeSpan.FromSeconds(59));
        var (inTime, _, _) = await AppsOrigin.GetAsync(apps, early, Ct);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var (tooLate, _, _) = await AppsOrigin.GetAsync(apps, late, Ct);

        Assert.Equal(HttpStatusCode.SeeOther, inTime);
        Assert.Equal(HttpStatusCode.Unauthorized, tooLate);
    }

    [Fact]
    public async Task Token_ForAnotherShare_Is401AndItsCookieOpensOnlyItsOwnShare()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (first, firstUrl) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);
        var (_, secondUrl) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);
        var token = (string)(await AppsOrigin.TokenAsync(api, first, Ct))["token"]!;
        var otherToken = (string)(await AppsOrigin.TokenAsync(api, first, Ct))["token"]!;

        var (foreign, _, _) = await AppsOrigin.GetAsync(apps, $"{secondUrl}?capsule_share_token={otherToken}", Ct);
        var (_, _, headers) = await AppsOrigin.GetAsync(apps, $"{firstUrl}?capsule_share_token={token}", Ct);
        var pair = headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var (own, _, _) = await AppsOrigin.GetAsync(apps, firstUrl, Ct, ("Cookie", pair));
        var (other, _, _) = await AppsOrigin.GetAsync(apps, secondUrl, Ct, ("Cookie", pair));

        Assert.Equal(HttpStatusCode.Unauthorized, foreign);
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.Equal(HttpStatusCode.Unauthorized, other);
    }

    [Fact]
    public async Task Cookie_ExpiredShareRevokedOrOwnerKeyRevoked_NoLongerOpensTheShare()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var admin = app.Client(app.AdminKey);
        var (keyId, key) = await app.CreateKeyAsync(Ct);
        using var api = app.Client(key);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, key, Ct);
        var cookies = new List<string>();
        var urls = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);
            var token = (string)(await AppsOrigin.TokenAsync(api, id, Ct))["token"]!;
            var (_, _, headers) = await AppsOrigin.GetAsync(apps, $"{url}?capsule_share_token={token}", Ct);
            cookies.Add(headers.GetValues("Set-Cookie").Single().Split(';')[0]);
            urls.Add(url);
        }
        var (openBefore, _, _) = await AppsOrigin.GetAsync(apps, urls[0], Ct, ("Cookie", cookies[0]));

        await api.PatchJsonAsync($"/v1/shares/{urls[1].Split('/')[3]}", new JsonObject { ["revoke"] = true }, Ct);
        var (afterShareRevoked, _, _) = await AppsOrigin.GetAsync(apps, urls[1], Ct, ("Cookie", cookies[1]));
        await AppsOrigin.Service<IApiKeyStore>(app).RevokeAsync(keyId, app.Time.GetUtcNow(), Ct);
        var (afterKeyRevoked, _, _) = await AppsOrigin.GetAsync(apps, urls[2], Ct, ("Cookie", cookies[2]));
        app.Time.Advance(TimeSpan.FromHours(8));
        var (afterExpiry, _, _) = await AppsOrigin.GetAsync(apps, urls[0], Ct, ("Cookie", cookies[0]));

        Assert.Equal(HttpStatusCode.OK, openBefore);
        Assert.Equal(HttpStatusCode.NotFound, afterShareRevoked);
        Assert.Equal(HttpStatusCode.Unauthorized, afterKeyRevoked);
        Assert.Equal(HttpStatusCode.Unauthorized, afterExpiry);
    }

    [Fact]
    public async Task TokenEndpoint_UnknownOrAnotherKeysShareIs404_RevokedIs409_NoKeyIs401()
    {
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        var (_, otherKey) = await app.CreateKeyAsync(Ct);
        using var other = app.Client(otherKey);
        using var anonymous = app.Client(null);
        var sessionId = await api.CreateSessionAsync(app.AdminKey, Ct);
        var (id, _) = await AppsOrigin.ShareAsync(api, sessionId, 8000, isPublic: false, Ct);
        var (revokedId, _) = await AppsOrigin.ShareAsync(api, sessionId, 8001, isPublic: false, Ct);
        await api.PatchJsonAsync($"/v1/shares/{revokedId}", new JsonObject { ["revoke"] = true }, Ct);

        var (unknown, unknownBody) = await api.PostRawAsync("/v1/shares/abcdefghijklmnopqrstuvwxyz/token", "", Ct);
        var (junk, _) = await api.PostRawAsync("/v1/shares/..%2F../token", "", Ct);
        var (foreign, foreignBody) = await other.PostRawAsync($"/v1/shares/{id}/token", "", Ct);
        var (revoked, _) = await api.PostRawAsync($"/v1/shares/{revokedId}/token", "", Ct);
        var (keyless, _) = await anonymous.PostRawAsync($"/v1/shares/{id}/token", "", Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal("Share not found", (string?)unknownBody!["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, junk);
        Assert.Equal(HttpStatusCode.NotFound, foreign);
        Assert.Equal("Share not found", (string?)foreignBody!["detail"]);
        Assert.Equal(HttpStatusCode.Conflict, revoked);
        Assert.Equal(HttpStatusCode.Unauthorized, keyless);
    }
}
