using Capsule.Server.Auth;
using Capsule.Vm;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Capsule.Client.Tests.Infrastructure;

/// <summary>
/// The real server in memory (its own temp data dir, SQLite, auth, validation) with a <see cref="FakeMachineHost"/>
/// instead of QEMU, and SDK clients wired to it. Adapted from the server tests' CapsuleApp.
/// </summary>
internal sealed class CapsuleApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 10, 12, 34, 56, TimeSpan.Zero);

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("capsule-ct-").FullName;

    public FakeMachineHost Machines { get; } = new();

    public FakeTimeProvider Time { get; } = new(Epoch);

    /// <summary>The admin key the server wrote at first start (starts the server if needed).</summary>
    public string AdminKey
    {
        get
        {
            _ = Server;
            return File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();
        }
    }

    /// <summary>An SDK client for this server; <paramref name="handlers"/> sit between the client and the server.</summary>
    public CapsuleClient Sdk(string? apiKey, int maxRetries = 3, params DelegatingHandler[] handlers) =>
        new(new CapsuleClientOptions
        {
            HttpClient = CreateDefaultClient(handlers),
            ApiKey = apiKey ?? "",
            MaxRetries = maxRetries,
            RetryDelay = TimeSpan.FromMilliseconds(5),
        });

    /// <summary>A fresh non-admin key.</summary>
    public async Task<string> CreateKeyAsync(CancellationToken cancellationToken)
    {
        var (_, key) = await Services.GetRequiredService<ApiKeyService>()
            .CreateAsync("client test key", isAdmin: false, cancellationToken).WaitAsync(Bounded.Call, cancellationToken);
        return key;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environments.Production);
        builder.UseSetting("CAPSULE_DATA_DIR", DataDirectory);
        builder.ConfigureLogging(logging => logging.ClearProviders());
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IMachineHost>();
            services.AddSingleton<IMachineHost>(Machines);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            services.RemoveAll<BannerWriter>();
            services.AddSingleton(new BannerWriter { Output = TextWriter.Null });
            // The QEMU layer's own startup work (run-folder janitor) is not what these tests are about.
            var vmAssembly = typeof(IMachineHost).Assembly;
            foreach (var descriptor in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Assembly == vmAssembly).ToList())
                services.Remove(descriptor);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
