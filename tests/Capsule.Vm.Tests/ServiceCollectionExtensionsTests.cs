using Capsule.Vm.Machines;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests;

public sealed class ServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddCapsuleVm_ValidConfig_ResolvesQemuHostWithConfiguredAccelerator()
    {
        await using var services = Build(new() { ["Capsule:Vm:Accelerator"] = "tcg", ["Capsule:Vm:BootTimeout"] = "00:00:42" });

        var host = services.GetRequiredService<IMachineHost>();

        Assert.IsType<QemuMachineHost>(host);
        Assert.Equal("tcg", host.Accelerator.Name);
        Assert.Equal(TimeSpan.FromSeconds(42), services.GetRequiredService<IOptions<VmOptions>>().Value.BootTimeout);
        Assert.Contains(services.GetServices<IHostedService>(), s => s is VmStartup);
    }

    [Fact]
    public async Task AddCapsuleVm_InvalidConfig_FailsValidation()
    {
        await using var services = Build(new() { ["Capsule:Vm:Accelerator"] = "hvf", ["Capsule:Vm:MaxMachines"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<VmOptions>>().Value);

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public async Task AddCapsuleVm_HostedStartup_RemovesLeftoverMachineFolders()
    {
        using var temp = new TempDirectory();
        var leftover = Directory.CreateDirectory(Path.Combine(temp.Path, "run", "vm-deadbeef")).FullName;
        await File.WriteAllTextAsync(Path.Combine(leftover, "qemu.pid"), "999999999", TestContext.Current.CancellationToken);
        await using var services = Build(new()
        {
            ["Capsule:Vm:RunDirectory"] = Path.Combine(temp.Path, "run"),
            ["Capsule:Vm:ImageDirectory"] = Path.Combine(temp.Path, "no-image"),
            ["Capsule:Vm:WarmPoolSize"] = "0",
        });

        foreach (var hosted in services.GetServices<IHostedService>())
            await hosted.StartAsync(TestContext.Current.CancellationToken).Bounded();

        Assert.False(Directory.Exists(leftover));
    }

    [Fact]
    public async Task AddCapsuleVm_PoolAndCapacitySettings_AreBoundAsConfigured()
    {
        await using var services = Build(new()
        {
            ["Capsule:Vm:WarmPoolVcpus"] = "1, 4",
            ["Capsule:Vm:WarmPoolSize"] = "3",
            ["Capsule:Vm:MemoryOvercommitRatio"] = "1.5",
            ["Capsule:Vm:SnapshotDirectory"] = "/srv/snapshots",
        });

        var options = services.GetRequiredService<IOptions<VmOptions>>().Value;

        Assert.Equal([1, 4], options.PooledVcpuCounts);
        Assert.Equal(3, options.WarmPoolSize);
        Assert.Equal(1.5, options.MemoryOvercommitRatio);
        Assert.Equal("/srv/snapshots", options.SnapshotDirectory);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddCapsuleVm(configuration).BuildServiceProvider();
    }
}
