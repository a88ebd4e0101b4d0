using OpenQA.Selenium;

namespace Capsule.EndToEnd.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium against the real server and real VMs. Terminal, executions and files use
/// the fixture's shared VM; only the kill test has a VM of its own. Every page is photographed into artifacts/ui/.
/// Waits are bounded in minutes (TCG), never asserted.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class DashboardTests(ServerFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private DashboardBrowser SignedIn(ServerProcess server)
    {
        var browser = DashboardBrowser.Start(server.Url);
        browser.SignIn(server.AdminKey);
        browser.Find(By.Id("sessions-table"));
        return browser;
    }

    [Fact]
    public void WrongKey_ShowsTheSigninError()
    {
        var server = fixture.RequireServer();
        using var browser = DashboardBrowser.Start(server.Url);

        browser.SignIn("capsule_sk_not-a-key");

        var error = browser.WaitForText(By.Id("signin-error"), "Sign-in failed");
        Assert.Contains("Invalid API key", error, StringComparison.Ordinal);
        Assert.Empty(browser.Driver.FindElements(By.Id("sessions-table")));
        browser.Screenshot("signin-error");
    }

    [Fact]
    public async Task SessionList_ShowsASessionCreatedThroughTheApi_AndTheKeyIsNowhereThePageCanRead()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();
        var (status, created) = await Api.PostAsync(client, "/v1/sessions/session",
            new { api_key = server.AdminKey, metadata = new { dashboard = "list-test" } }, Token);
        Assert.True(status == HttpStatusCode.OK, $"create: {status} {created}");
        var sessionId = (string)created!["session_id"]!;
        using var browser = SignedIn(server);

        var row = browser.Find(By.CssSelector($"tr[data-session-id='{sessionId}']"));

        Assert.Contains("created", row.Text, StringComparison.Ordinal);
        Assert.Contains("list-test", row.Text, StringComparison.Ordinal);
        Assert.Contains("512 MB", row.Text, StringComparison.Ordinal);
        // The key went to the server once; the page keeps only an HttpOnly cookie it cannot read.
        var readable = (string)browser.Script(
            "return document.cookie + '|' + JSON.stringify(localStorage) + '|' + JSON.stringify(sessionStorage) + '|' + location.href")!;
        Assert.DoesNotContain(server.AdminKey, readable, StringComparison.Ordinal);
        Assert.DoesNotContain("capsule_dashboard", readable, StringComparison.Ordinal);
        browser.Find(By.Id("filter-id")).SendKeys(sessionId[..8]);
        browser.UntilTrue(d => d.FindElements(By.CssSelector("#sessions-body tr")).Count == 1, "the search to leave one row");
        browser.Screenshot("sessions");
    }

    [Fact]
    public void Terminal_EchoHi_ShowsHi()
    {
        var server = fixture.RequireServer();
        using var browser = SignedIn(server);
        browser.Open($"/ui/#/session/{fixture.SharedSessionId}");
        browser.Find(By.Id("tab-terminal")).Click();
        browser.WaitForText(By.Id("terminal-state"), "attached");
        browser.UntilTrue(d => d.FindElement(By.CssSelector("#terminal .xterm-rows")).Text.IndexOfAny(['#', '$']) >= 0, "a shell prompt");

        browser.Driver.FindElement(By.CssSelector("#terminal .xterm-helper-textarea")).SendKeys("echo hi-$((40+2))\n");

        browser.WaitForText(By.CssSelector("#terminal .xterm-rows"), "hi-42");
        browser.Screenshot("session-terminal");
    }

    [Fact]
    public void Files_UploadAFile_AndDownloadItBack()
    {
        var server = fixture.RequireServer();
        var local = Path.Combine(Directory.CreateTempSubdirectory("capsule-ui-upload-").FullName, "dashboard-upload.txt");
        var content = $"uploaded through the dashboard {Guid.NewGuid():N}\n";
        File.WriteAllText(local, content);
        using var browser = SignedIn(server);
        browser.Open($"/ui/#/session/{fixture.SharedSessionId}");
        browser.Find(By.Id("tab-files")).Click();

        browser.Find(By.Id("upload-file")).SendKeys(local);
        var folder = browser.Find(By.Id("upload-path"));
        folder.Clear();
        folder.SendKeys("/tmp/");
        browser.Find(By.Id("upload-submit")).Click();
        browser.WaitForText(By.Id("upload-result"), "uploaded");
        var path = browser.Find(By.Id("download-path"));
        path.Clear();
        path.SendKeys("/tmp/dashboard-upload.txt");
        browser.Find(By.Id("download-submit")).Click();
        browser.WaitForText(By.Id("download-result"), "downloaded");

        var saved = Path.Combine(browser.Downloads, "dashboard-upload.txt");
        browser.UntilTrue(_ => File.Exists(saved) && File.ReadAllText(saved).Length == content.Length, "the saved download");
        Assert.Equal(content, File.ReadAllText(saved));
        browser.Screenshot("session-files");
        Directory.Delete(Path.GetDirectoryName(local)!, recursive: true);
    }

    [Fact]
    public async Task KillFromThePage_TheStateChanges()
    {
        var server = fixture.RequireServer();
        using var client = server.CreateClient();
        // Env makes create spawn the VM at once, so the session is active when the page shows it.
        var sessionId = await Api.CreateSessionAsync(client, server.AdminKey, 600, new Dictionary<string, string> { ["X"] = "1" }, Token);
        using var browser = SignedIn(server);
        var row = By.CssSelector($"tr[data-session-id='{sessionId}']");
        browser.WaitForText(row, "active");

        browser.Driver.FindElement(row).FindElement(By.CssSelector("button.kill")).Click();

        browser.WaitForText(row, "killed");
        using var keyed = server.CreateClient(server.AdminKey);
        var (_, info) = await Api.GetAsync(keyed, $"/v1/sessions/session/{sessionId}", Token);
        Assert.Equal("killed", (string?)info!["status"]);
        browser.Screenshot("sessions-after-kill");
    }

    [Fact]
    public async Task ScriptInMetadataAndOutput_StaysText()
    {
        var server = fixture.RequireServer();
        const string Hostile = "<script>window.__capsulePwned=1</script><img src=x onerror=\"window.__capsulePwned=2\">";
        using var client = server.CreateClient();
        var (status, created) = await Api.PostAsync(client, "/v1/sessions/session",
            new { api_key = server.AdminKey, metadata = new { note = Hostile } }, Token);
        Assert.True(status == HttpStatusCode.OK, $"create: {status} {created}");
        var hostileSession = (string)created!["session_id"]!;
        using var browser = SignedIn(server);

        var row = browser.WaitForText(By.CssSelector($"tr[data-session-id='{hostileSession}']"), "<script>");
        Assert.Contains("onerror", row, StringComparison.Ordinal);
        browser.Open($"/ui/#/session/{fixture.SharedSessionId}");
        browser.Find(By.Id("tab-run")).Click();
        browser.Find(By.Id("run-code")).SendKeys("print('<b>bold</b>' + '<script>window.__capsulePwned=3</script>')");
        browser.Find(By.Id("run-submit")).Click();
        browser.WaitForText(By.Id("executions"), "<b>bold</b><script>window.__capsulePwned=3</script>");

        Assert.Null(browser.Script("return window.__capsulePwned ?? null"));
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("#executions b, #executions script, #sessions-body img")));
        browser.Screenshot("session-executions");
        browser.Find(By.Id("tab-overview")).Click();
        browser.Find(By.CssSelector("#chart-memory canvas"));
        browser.WaitForText(By.Id("usage-facts"), "Memory");
        // Two samples from the guest make the first point of each chart.
        browser.UntilTrue(d => int.TryParse(d.FindElement(By.Id("chart-memory")).GetAttribute("data-points"), out var n) && n >= 2,
            "two points on the memory chart");
        browser.Screenshot("session-overview");
    }

    [Fact]
    public void KeysAndHostPages_ShowForAnAdmin()
    {
        var server = fixture.RequireServer();
        using var browser = SignedIn(server);

        browser.Find(By.Id("nav-keys")).Click();
        browser.Find(By.CssSelector("#keys-body tr"));
        browser.Find(By.Id("key-description")).SendKeys("made in the dashboard");
        browser.Find(By.Id("key-create")).Click();
        var secret = browser.WaitForText(By.Id("key-secret"), "capsule_sk_");
        browser.WaitForText(By.Id("keys-body"), "made in the dashboard");
        browser.Screenshot("keys");
        browser.Find(By.Id("nav-host")).Click();
        var facts = browser.WaitForText(By.Id("host-facts"), "Accelerator");

        Assert.StartsWith("capsule_sk_", secret, StringComparison.Ordinal);
        Assert.Contains("tcg", facts + " kvm", StringComparison.Ordinal);
        browser.Screenshot("host");
    }

    [Fact]
    public async Task SessionList_With300Sessions_RendersAndUpdates_WithOneListCallPerRefresh()
    {
        var server = fixture.RequireServer();
        using var admin = server.CreateClient(server.AdminKey);
        var (keyStatus, created) = await Api.PostAsync(admin, "/v1/api-keys/", new { description = "dashboard 300" }, Token);
        Assert.True(keyStatus == HttpStatusCode.Created, $"key: {keyStatus} {created}");
        var key = (string)created!["api_key"]!;
        using var client = server.CreateClient();
        for (var i = 0; i < 300; i++)
            await CreatePacedAsync(client, key, i);
        using var browser = DashboardBrowser.Start(server.Url);
        browser.SignIn(key);

        browser.WaitForText(By.Id("sessions-count"), "300 of 300");
        Assert.Equal(300, browser.Driver.FindElements(By.CssSelector("#sessions-body tr")).Count);
        await CreatePacedAsync(client, key, 300);
        browser.WaitForText(By.Id("sessions-count"), "301 of 301");

        var calls = ((IEnumerable<object>)browser.Script(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)")!).Cast<string>().ToList();
        Assert.True(calls.Count(c => c == "/v1/sessions/sandboxes") >= 2, string.Join(", ", calls));
        Assert.DoesNotContain(calls, c => c.StartsWith("/v1/sessions/session/", StringComparison.Ordinal)
            || c.StartsWith("/v1/sessions/status/", StringComparison.Ordinal) || c.StartsWith("/v1/sessions/usage/", StringComparison.Ordinal));
        browser.Screenshot("sessions-300");
    }

    /// <summary>Creates a session (no VM) with <paramref name="key"/>, waiting out the key's rate limit when it answers 429.</summary>
    private static async Task CreatePacedAsync(HttpClient client, string key, int index)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (status, body) = await Api.PostAsync(client, "/v1/sessions/session",
                new { api_key = key, metadata = new { index } }, Token);
            if (status == HttpStatusCode.OK)
                return;
            Assert.True(status == HttpStatusCode.TooManyRequests && attempt < 60, $"create {index}: {status} {body}");
            await Task.Delay(TimeSpan.FromSeconds(1), Token);
        }
    }
}
