using Capsule.Vm.Qemu;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>
/// One real machine shared by the <see cref="QemuMachineCollection"/> tests: QEMU from PATH, the guest image from
/// <c>CAPSULE_IMAGE_DIR</c> or <c>artifacts/guest</c> under the repo root. When either is missing the tests skip
/// with <see cref="SkipReason"/>. A machine that fails to boot fails the tests: that is a real failure.
/// </summary>
public sealed class QemuMachineFixture : IAsyncLifetime
{
    public const int MemoryMb = 1024;
    public const string SpecEnvName = "CAPSULE_TEST_SPEC_ENV";
    public const string SpecEnvValue = "from-spec";

    private readonly TempDirectory _temp = new();
    private readonly ILoggerFactory _loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Information));
    private QemuMachineHost? _host;
    private QemuMachine? _machine;

    public string? SkipReason { get; private set; }

    internal QemuMachine Machine => _machine ?? throw new InvalidOperationException(SkipReason ?? "No machine.");

    public async ValueTask InitializeAsync()
    {
        var imageDirectory = Environment.GetEnvironmentVariable("CAPSULE_IMAGE_DIR") ?? Path.Combine(RepoRoot(), "artifacts", "guest");
        SkipReason = FindOnPath("qemu-system-x86_64") is null
            ? "qemu-system-x86_64 is not on PATH"
            : new[] { "vmlinuz", "initrd.img", "rootfs.ext4" }.All(f => File.Exists(Path.Combine(imageDirectory, f)))
                ? null
                : $"no guest image (vmlinuz, initrd.img, rootfs.ext4) in {imageDirectory}; build it or set CAPSULE_IMAGE_DIR";
        if (SkipReason is not null)
            return;

        var options = new VmOptions
        {
            ImageDirectory = imageDirectory,
            RunDirectory = _temp.File("run"),
            BootTimeout = TimeSpan.FromMinutes(5),
            MaxMachines = 2,
        };
        _host = new QemuMachineHost(Options.Create(options), new HostProbe(), _loggerFactory);
        var spec = new MachineSpec
        {
            VcpuCount = 2,
            MemoryMb = MemoryMb,
            Env = new Dictionary<string, string> { [SpecEnvName] = SpecEnvValue },
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        _machine = (QemuMachine)await _host.StartAsync(spec, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
        _loggerFactory.Dispose();
        _temp.Dispose();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Capsule.slnx")))
                return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

[CollectionDefinition(Name)]
public sealed class QemuMachineCollection : ICollectionFixture<QemuMachineFixture>
{
    public const string Name = "Real QEMU machine";
}
