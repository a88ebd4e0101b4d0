using Capsule.Server.Apps;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Tests.Shares;

/// <summary>
/// How the apps origin finds a share: <c>/&lt;share id&gt;/path</c> always, and <c>&lt;share id&gt;.&lt;domain&gt;</c>
/// with the path unchanged when <c>Capsule:Shares:Domain</c> is set; the URLs handed out follow the mode.
/// </summary>
public sealed class ShareRoutingTests
{
    private const string Domain = "apps.example.test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> DomainSettings => new() { ["Capsule:Shares:Domain"] = Domain };

    [Fact]
    public async Task PathRouting_ShareFolder_ReachesTheGuestWithoutThePrefix()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp();
        using var api = app.Client(app.AdminKey);
        using var apps = AppsOrigin.Client(app);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: true, Ct);

        var (status, echoed, _) = await AppsOrigin.GetAsync(apps, url + "some/path?q=1", Ct);
        var (bare, _, headers) = await AppsOrigin.GetAsync(apps, $"/{id}?q=1", Ct);

        Assert.Equal($"http://127.0.0.1:8079/{id}/", url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/some/path", (string?)echoed!["path"]);
        Assert.Equal("?q=1", (string?)echoed["query"]);
        Assert.Equal(HttpStatusCode.PermanentRedirect, bare);
        Assert.Equal($"/{id}/?q=1", headers.Location!.OriginalString);
    }

    [Fact]
    public async Task HostRouting_DomainSet_RoutesByHostWithThePathUnchangedAndHandsOutHostUrls()
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp(settings: DomainSettings);
        using var api = app.Client(app.AdminKey);
        var sessionId = await AppsOrigin.RunningSessionAsync(app, api, app.AdminKey, Ct);
        var (id, url) = await AppsOrigin.ShareAsync(api, sessionId, upstream.Port, isPublic: true, Ct);
        var (_, appUrl) = await api.GetJsonAsync($"/v1/sessions/app-url/{sessionId}?port=3000", Ct);
        var (_, list) = await api.GetJsonAsync("/v1/shares", Ct);
        using var byHost = AppsOrigin.Client(app, url);
        using var upperCase = AppsOrigin.Client(app, $"http://{id.ToUpperInvariant()}.APPS.example.test:8079/");
        using var byPath = AppsOrigin.Client(app);

        var (status, echoed, _) = await AppsOrigin.GetAsync(byHost, "/some/path?q=1", Ct);
        var (upperStatus, upperEchoed, _) = await AppsOrigin.GetAsync(upperCase, "/x", Ct);
        var (pathStatus, pathEchoed, _) = await AppsOrigin.GetAsync(byPath, $"/{id}/x", Ct);

        Assert.Equal($"http://{id}.{Domain}/", url);
        Assert.Matches($"^http://[a-z2-7]{{26}}\\.{Domain.Replace(".", "\\.", StringComparison.Ordinal)}/$", (string)appUrl!["url"]!);
        Assert.Equal((string?)appUrl["url"], (string?)appUrl["direct_url"]);
        Assert.Contains(list!.AsArray(), s => (string?)s!["url"] == url);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("/some/path", (string?)echoed!["path"]);
        Assert.Equal("?q=1", (string?)echoed["query"]);
        Assert.Equal(HttpStatusCode.OK, upperStatus);
        Assert.Equal("/x", (string?)upperEchoed!["path"]);
        Assert.Equal(HttpStatusCode.OK, pathStatus);
        Assert.Equal("/x", (string?)pathEchoed!["path"]);
    }

    [Theory]
    [InlineData("http://abcdefghijklmnopqrstuvwxyz.apps.example.test/")]
    [InlineData("http://not-a-share-id.apps.example.test/")]
    [InlineData("http://x.abcdefghijklmnopqrstuvwxyz.apps.example.test/")]
    public async Task HostRouting_HostUnderTheDomainNamingNoShare_Is404(string baseAddress)
    {
        await using var upstream = await EchoUpstream.StartAsync(Ct);
        await using var app = new CapsuleApp(settings: DomainSettings);
        using var apps = AppsOrigin.Client(app, baseAddress);

        var (status, body, _) = await AppsOrigin.GetAsync(apps, "/", Ct);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Share not found", (string?)body!["detail"]);
        Assert.Equal(0, upstream.Requests);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8079", "http")]
    [InlineData("https://127.0.0.1:8443", "https")]
    public void ShareUrls_DomainSet_TakeTheSchemeFromTheAppsUrl(string appsUrl, string scheme)
    {
        var urls = new ShareUrls(
            Options.Create(new AppsOptions { Url = appsUrl }), Options.Create(new SharesOptions { Domain = "apps.example.test:8443" }));

        Assert.Equal($"{scheme}://abcdefghijklmnopqrstuvwxyz.apps.example.test:8443/", urls.For("abcdefghijklmnopqrstuvwxyz"));
    }

    [Theory]
    [InlineData("http://apps.example.test")]
    [InlineData("*.apps.example.test")]
    [InlineData(".apps.example.test")]
    [InlineData("apps..example.test")]
    [InlineData("apps.example.test/")]
    [InlineData("-apps.example.test")]
    [InlineData("apps_x.example.test")]
    [InlineData("10.0.0.1")]
    [InlineData("apps.example.test:0")]
    [InlineData("apps.example.test:http")]
    public async Task BadDomain_FailsAtStartNamingTheOption(string domain)
    {
        await using (var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Shares:Domain"] = domain }))
        {
            // As in BodyLimitTests: a failed start may surface as WebApplicationFactory's own exception, so the
            // message is asserted on the validator the start runs.
            Assert.ThrowsAny<Exception>(app.StartServer);
        }
        var result = new SharesOptionsValidator().Validate(null, new SharesOptions { Domain = domain.ToLowerInvariant() });

        Assert.True(result.Failed);
        Assert.StartsWith($"Capsule:Shares:Domain '{domain.ToLowerInvariant()}' is not a usable domain: ", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("apps.example.test")]
    [InlineData("localhost:8079")]
    [InlineData("a-b.c9.example")]
    public void GoodDomain_Validates(string domain)
    {
        var result = new SharesOptionsValidator().Validate(null, new SharesOptions { Domain = domain });

        Assert.True(result.Succeeded, result.FailureMessage);
    }
}
