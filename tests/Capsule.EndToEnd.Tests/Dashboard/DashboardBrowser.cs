using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Capsule.EndToEnd.Tests.Dashboard;

/// <summary>
/// Debian's headless Chromium driven through Debian's chromedriver (given by path, so Selenium Manager never runs and
/// nothing is downloaded). Background networking, component updates, sync, metrics and safe browsing are off, so the
/// browser talks only to the server under test. Each instance has its own profile and download folder.
/// </summary>
internal sealed class DashboardBrowser : IDisposable
{
    private const string ChromiumBinary = "/usr/lib/chromium/chromium";
    private const string Chromedriver = "/usr/bin/chromedriver";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly ChromeDriver _driver;
    private readonly string _profile;

    private DashboardBrowser(Uri baseUrl)
    {
        BaseUrl = baseUrl;
        _profile = Directory.CreateTempSubdirectory("capsule-chromium-").FullName;
        Downloads = Directory.CreateDirectory(Path.Combine(_profile, "downloads")).FullName;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Chromedriver)!, Path.GetFileName(Chromedriver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumBinary };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
            $"--user-data-dir={Path.Combine(_profile, "profile")}", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
            "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
            "--disable-breakpad", "--no-pings", "--safebrowsing-disable-auto-update", "--password-store=basic",
            "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication,CertificateTransparencyComponentUpdater");
        options.AddUserProfilePreference("download.default_directory", Downloads);
        options.AddUserProfilePreference("download.prompt_for_download", false);
        options.AddUserProfilePreference("safebrowsing.enabled", false);
        _driver = new ChromeDriver(service, options, TimeSpan.FromMinutes(2));
        _driver.Manage().Timeouts().PageLoad = TimeSpan.FromMinutes(1);
    }

    public Uri BaseUrl { get; }

    public string Downloads { get; }

    public IWebDriver Driver => _driver;

    /// <summary>Why no browser test can run here, or null.</summary>
    public static string? MissingReason() =>
        !File.Exists(ChromiumBinary) ? $"{ChromiumBinary} is missing (Debian's chromium; make test installs it)"
        : !File.Exists(Chromedriver) ? $"{Chromedriver} is missing (Debian's chromium-driver; make test installs it)"
        : null;

    public static DashboardBrowser Start(Uri baseUrl)
    {
        if (MissingReason() is { } reason)
            Assert.Skip(reason);
        return new DashboardBrowser(baseUrl);
    }

    public void Open(string path) => _driver.Navigate().GoToUrl(new Uri(BaseUrl, path));

    /// <summary>Opens the dashboard and signs in with <paramref name="key"/> through the form.</summary>
    public void SignIn(string key)
    {
        Open("/ui/");
        var input = Find(By.Id("signin-key"));
        input.SendKeys(key);
        Find(By.Id("signin-submit")).Click();
    }

    public IWebElement Find(By by) => Until(d => d.FindElements(by).FirstOrDefault(e => e.Displayed), $"element {by}");

    public T Until<T>(Func<IWebDriver, T?> condition, string what)
    {
        var wait = new WebDriverWait(_driver, Patience) { PollingInterval = TimeSpan.FromMilliseconds(200), Message = $"waited for {what}" };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(d => condition(d))!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public void UntilTrue(Func<IWebDriver, bool> condition, string what) => Until<object>(d => condition(d) ? true : null, what);

    /// <summary>Waits until the element's text contains <paramref name="expected"/>; returns the text.</summary>
    public string WaitForText(By by, string expected) =>
        Until(d => d.FindElements(by).Select(e => e.Text).FirstOrDefault(t => t.Contains(expected, StringComparison.Ordinal)),
            $"'{expected}' in {by}");

    public object? Script(string script, params object[] args) => _driver.ExecuteScript(script, args);

    /// <summary>Writes artifacts/ui/&lt;name&gt;.png.</summary>
    public void Screenshot(string name)
    {
        var folder = Directory.CreateDirectory(Path.Combine(RepoRoot.Find(), "artifacts", "ui")).FullName;
        _driver.GetScreenshot().SaveAsFile(Path.Combine(folder, name + ".png"));
    }

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be closing files in its profile; the temp folder is left for the OS.
        }
    }
}
