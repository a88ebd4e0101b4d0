using System.Net.Sockets;

namespace Capsule.Server.Tests.Shares;

/// <summary>
/// Who gets through the apps origin and what of theirs reaches the guest: Capsule's key headers and cookie never do,
/// the guest's own cookies do; unknown, revoked and another key's shares are 404, a private one without a key 401.
/// </summary>
public sealed class ShareProxyAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrivateShare_OwnersKey_ReachesTheGuestWithoutCapsulesHeadersOrCookie()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (_, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);

        var (byHeader, echoed, _) = await AppsOrigin.GetAsync(apps, url, Ct,
            ("X-API-Key", app.AdminKey), ("Cookie", "a=1; capsule_share=whatever; capsule_dashboard=signin; b=2"), ("X-Other", "kept"));
        var (byBearer, bearerEchoed, _) = await AppsOrigin.GetAsync(apps, url, Ct,
            ("Authorization", $"Bearer {app.AdminKey}"), ("Cookie", "capsule_share=x; capsule_dashboard=y"));

        Assert.Equal(HttpStatusCode.OK, byHeader);
        var headers = echoed!["headers"]!.AsObject();
        Assert.False(headers.ContainsKey("x-api-key"));
        Assert.False(headers.ContainsKey("authorization"));
        Assert.Equal("a=1; b=2", (string?)headers["cookie"]);
        Assert.Equal("kept", (string?)headers["x-other"]);
        Assert.DoesNotContain(app.AdminKey, echoed.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, byBearer);
        Assert.False(bearerEchoed!["headers"]!.AsObject().ContainsKey("authorization"));
        Assert.False(bearerEchoed["headers"]!.AsObject().ContainsKey("cookie"));
    }

    [Fact]
    public async Task PublicShare_AuthHeadersSent_NeverReachTheGuest()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (_, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: true, Ct);

        var (status, echoed, _) = await AppsOrigin.GetAsync(apps, url, Ct,
            ("X-API-Key", "capsule_sk_someone"), ("Authorization", "Basic dXNlcjpwYXNz"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(echoed!["headers"]!.AsObject().ContainsKey("x-api-key"));
        Assert.False(echoed["headers"]!.AsObject().ContainsKey("authorization"));
    }

    [Fact]
    public async Task GuestSetCookie_NamedLikeCapsulesCookie_IsDroppedAndTheGuestsOwnKept()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (_, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: true, Ct);

        var (status, _, headers) = await AppsOrigin.GetAsync(apps, url + "set-cookies", Ct);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["guest=1; Path=/"], headers.GetValues("Set-Cookie"));
    }

    [Fact]
    public async Task PrivateShare_NoKey_Is401_AnotherKey_Is404_AndTheGuestSeesNothing()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var (_, otherKey) = await app.CreateKeyAsync(Ct);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (_, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: false, Ct);

        var (keyless, keylessBody, _) = await AppsOrigin.GetAsync(apps, url, Ct);
        var (foreign, foreignBody, _) = await AppsOrigin.GetAsync(apps, url, Ct, ("X-API-Key", otherKey));
        var (badKey, _, _) = await AppsOrigin.GetAsync(apps, url, Ct, ("X-API-Key", "capsule_sk_nobody"));
        var (badCookie, _, _) = await AppsOrigin.GetAsync(apps, url, Ct, ("Cookie", "capsule_share=made-up"));

        Assert.Equal(HttpStatusCode.Unauthorized, keyless);
        Assert.Equal(
            "This share is private: send its owner's API key in X-API-Key, or open a URL from POST /v1/shares/{share_id}/token in a browser",
            (string?)keylessBody!["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, foreign);
        Assert.Equal("Share not found", (string?)foreignBody!["detail"]);
        Assert.Equal(HttpStatusCode.Unauthorized, badKey);
        Assert.Equal(HttpStatusCode.Unauthorized, badCookie);
        Assert.Equal(0, upstream.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RevokedShare_Is404EvenWithTheOwnersKey(bool isPublic)
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic, Ct);
        var (before, _, _) = await AppsOrigin.GetAsync(apps, url, Ct, ("X-API-Key", app.AdminKey));

        await api.PatchJsonAsync($"/v1/shares/{id}", new JsonObject { ["revoke"] = true }, Ct);
        var (after, body, _) = await AppsOrigin.GetAsync(apps, url, Ct, ("X-API-Key", app.AdminKey));
        var (unknown, _, _) = await AppsOrigin.GetAsync(apps, "/abcdefghijklmnopqrstuvwxyz/", Ct);
        var (junk, _, _) = await AppsOrigin.GetAsync(apps, "/not-a-share/", Ct);

        Assert.Equal(HttpStatusCode.OK, before);
        Assert.Equal(HttpStatusCode.NotFound, after);
        Assert.Equal("Share not found", (string?)body!["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.NotFound, junk);
        Assert.Equal(1, upstream.Requests);
    }

    [Fact]
    public async Task NoRunningVm_Is410_NothingListening_Is502()
    {
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var idle = await api.CreateSessionAsync(app.AdminKey, Ct);
        var (_, idleUrl) = await AppsOrigin.ShareAsync(api, idle, 8000, isPublic: true, Ct);
        var running = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (_, deadUrl) = await AppsOrigin.ShareAsync(api, running, FreePort(), isPublic: true, Ct);

        var (gone, goneBody, _) = await AppsOrigin.GetAsync(apps, idleUrl, Ct);
        var (dead, deadBody, _) = await AppsOrigin.GetAsync(apps, deadUrl, Ct);

        Assert.Equal(HttpStatusCode.Gone, gone);
        Assert.Equal("The VM behind this share is not running; run code in its session to start one", (string?)goneBody!["detail"]);
        Assert.Equal(HttpStatusCode.BadGateway, dead);
        Assert.StartsWith("Nothing answered on port ", (string?)deadBody!["detail"], StringComparison.Ordinal);
    }

    /// <summary>A loopback port nobody listens on (bound and released; nothing else in the test binds ports).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
