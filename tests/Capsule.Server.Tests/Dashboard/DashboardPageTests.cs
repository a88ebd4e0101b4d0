namespace Capsule.Server.Tests.Dashboard;

/// <summary>The page itself: where it is, the headers that keep guest content from running on this origin.</summary>
public sealed class DashboardPageTests : IDisposable
{
    private readonly string _assets = Directory.CreateTempSubdirectory("capsule-ui-").FullName;

    public DashboardPageTests()
    {
        Directory.CreateDirectory(Path.Combine(_assets, "assets"));
        File.WriteAllText(Path.Combine(_assets, "index.html"), "<!doctype html><title>Capsule</title>");
        File.WriteAllText(Path.Combine(_assets, "assets", "app.js"), "console.log(1)");
    }

    public void Dispose() => Directory.Delete(_assets, recursive: true);

    private CapsuleApp App() => new(settings: new Dictionary<string, string?> { ["Capsule:Dashboard:AssetsDirectory"] = _assets });

    [Theory]
    [InlineData("/")]
    [InlineData("/ui")]
    public async Task RootAndUiWithoutSlash_RedirectToUi(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = App();
        using var client = app.Client(apiKey: null);

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/ui/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Ui_ServesTheIndexWithAStrictContentSecurityPolicy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = App();
        using var client = app.Client(apiKey: null);

        using var response = await client.GetAsync(new Uri("/ui/", UriKind.Relative), ct);
        using var script = await client.GetAsync(new Uri("/ui/assets/app.js", UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Capsule</title>", await response.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("frame-src http://127.0.0.1:8079", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(',', response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True(script.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task Ui_WithoutBuiltAssets_Is503SayingHowToBuildThem()
    {
        var ct = TestContext.Current.CancellationToken;
        var empty = Directory.CreateTempSubdirectory("capsule-ui-empty-").FullName;
        try
        {
            await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Dashboard:AssetsDirectory"] = empty });
            using var client = app.Client(apiKey: null);

            using var response = await client.GetAsync(new Uri("/ui/", UriKind.Relative), ct);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync(ct);
            Assert.Contains("make build", text, StringComparison.Ordinal);
            Assert.DoesNotContain(empty, text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task Disabled_RemovesThePages()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CapsuleApp(settings: new Dictionary<string, string?> { ["Capsule:Dashboard:Enabled"] = "false" });
        using var client = app.Client(apiKey: null);

        using var response = await client.GetAsync(new Uri("/ui/", UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
