using Capsule.Server.Auth;
using Capsule.Testing.Machines;
using Capsule.Vm;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Capsule.Testing.InProcess;

/// <summary>
/// The real server in memory: its own temp data dir (SQLite and admin.key as in production), a
/// <see cref="FakeMachineHost"/> instead of QEMU and a <see cref="FakeTimeProvider"/> for lifetimes.
/// Pass the data dir of a stopped app to simulate a restart.
/// </summary>
internal sealed class CapsuleApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 10, 12, 34, 56, TimeSpan.Zero);

    private readonly bool _ownsDataDirectory;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <param name="dataDirectory">An existing data dir (a restart), left in place; null for a fresh one, deleted at dispose.</param>
    /// <param name="settings">Configuration, e.g. <c>["Capsule:RateLimit:Burst"] = "2"</c>.</param>
    public CapsuleApp(string? dataDirectory = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("capsule-app-").FullName;
        _settings = settings ?? new Dictionary<string, string?>();
        Machines = new FakeMachineHost(Directory.CreateTempSubdirectory("capsule-guest-").FullName);
    }

    public string DataDirectory { get; }

    public FakeMachineHost Machines { get; }

    public FakeTimeProvider Time { get; } = new(Epoch);

    /// <summary>What the server printed as its one-time admin key banner (stdout in production).</summary>
    public StringWriter Banner { get; } = new();

    public string AdminKeyFile => Path.Combine(DataDirectory, "admin.key");

    /// <summary>The admin key the server wrote at first start (starts the server if needed).</summary>
    public string AdminKey
    {
        get
        {
            StartServer();
            return File.ReadAllText(AdminKeyFile).Trim();
        }
    }

    /// <summary>
    /// A client that sends <paramref name="apiKey"/> as X-API-Key, or no key when null. No redirect or cookie handlers:
    /// the redirect handler buffers request bodies whole (to resend them), which would hide whether uploads stream.
    /// </summary>
    public HttpClient Client(string? apiKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (apiKey is not null)
            client.DefaultRequestHeaders.Add("X-API-Key", apiKey);
        return client;
    }

    /// <summary>A fresh non-admin key described as "test key": its id and the key itself.</summary>
    public async Task<(string Id, string Key)> CreateKeyAsync(CancellationToken cancellationToken)
    {
        var (record, key) = await Services.GetRequiredService<ApiKeyService>()
            .CreateAsync("test key", isAdmin: false, cancellationToken).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        return (record.Id, key);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        builder.UseSetting("CAPSULE_DATA_DIR", DataDirectory);
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IMachineHost>();
            services.AddSingleton<IMachineHost>(Machines);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            services.RemoveAll<BannerWriter>();
            services.AddSingleton(new BannerWriter { Output = Banner });
            // The QEMU layer's own startup work (run-folder janitor) is not what these tests are about.
            var vmAssembly = typeof(IMachineHost).Assembly;
            var vmHostedServices = services
                .Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == vmAssembly)
                .ToList();
            foreach (var descriptor in vmHostedServices)
                services.Remove(descriptor);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Banner.DisposeAsync();
        Directory.Delete(Machines.GuestRoot, recursive: true);
        if (_ownsDataDirectory)
            Directory.Delete(DataDirectory, recursive: true);
    }
}
