using System.Security.Cryptography;
using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>
/// The real-QEMU tier's shared state: QEMU from PATH, the guest image from <c>CAPSULE_IMAGE_DIR</c> or
/// <c>artifacts/guest</c> under the repo root, snapshots snap1 and snap2 in the default snapshot directory (built if
/// missing, shared with the server and <c>make snapshots</c>; <c>Capsule__Vm__SnapshotDirectory</c> overrides it), one
/// host without a pool, and one machine restored from snap2. When QEMU or the image is missing the tests skip with
/// <see cref="SkipReason"/>. A machine that fails to start fails the tests: that is a real failure.
/// </summary>
public sealed class QemuMachineFixture : IAsyncLifetime
{
    public const int MemoryMb = 1024;
    public const string SpecEnvName = "CAPSULE_TEST_SPEC_ENV";
    public const string SpecEnvValue = "from-spec";

    private readonly TempDirectory _temp = new();
    private readonly List<QemuMachineHost> _extraHosts = [];
    private QemuMachineHost? _host;
    private QemuMachine? _machine;

    public string? SkipReason { get; private set; }

    public ILoggerFactory LoggerFactory { get; } =
        Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Information));

    internal QemuMachine Machine => _machine ?? throw new InvalidOperationException(SkipReason ?? "No machine.");

    internal QemuMachineHost Host => _host ?? throw new InvalidOperationException(SkipReason ?? "No host.");

    /// <summary>The image folder the tier uses.</summary>
    public string ImageDirectory { get; } = Environment.GetEnvironmentVariable("CAPSULE_IMAGE_DIR") ?? Path.Combine(RepoRoot(), "artifacts", "guest");

    public string SnapshotDirectory { get; } = Environment.GetEnvironmentVariable("Capsule__Vm__SnapshotDirectory") ?? new VmOptions().SnapshotDirectory;

    /// <summary>snap1 and snap2 as they were before this run restored anything, with the hashes of their RAM files and disks.</summary>
    internal IReadOnlyDictionary<int, (Snapshot Snapshot, byte[] RamHash, byte[] DiskHash)> Snapshots { get; private set; } =
        new Dictionary<int, (Snapshot, byte[], byte[])>();

    public async ValueTask InitializeAsync()
    {
        SkipReason = FindOnPath("qemu-system-x86_64") is null
            ? "qemu-system-x86_64 is not on PATH"
            : new[] { "vmlinuz", "initrd.img", "rootfs.ext4", "manifest.json" }.All(f => File.Exists(Path.Combine(ImageDirectory, f)))
                ? null
                : $"no guest image (vmlinuz, initrd.img, rootfs.ext4, manifest.json) in {ImageDirectory}; build it or set CAPSULE_IMAGE_DIR";
        if (SkipReason is not null)
            return;

        _host = NewHost();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var progress = new ConsoleProgress();
        var snapshots = new Dictionary<int, (Snapshot, byte[], byte[])>();
        foreach (var vcpuCount in new[] { 1, 2 })
        {
            var snapshot = await _host.Snapshots.EnsureAsync(vcpuCount, force: false, progress, timeout.Token);
            snapshots[vcpuCount] = (snapshot, HashFile(snapshot.Files.Ram), HashFile(snapshot.Files.Disk));
        }
        Snapshots = snapshots;
        var spec = new MachineSpec
        {
            VcpuCount = 2,
            MemoryMb = MemoryMb,
            Env = new Dictionary<string, string> { [SpecEnvName] = SpecEnvValue },
        };
        _machine = (QemuMachine)await _host.StartAsync(spec, timeout.Token);
    }

    /// <summary>Options for a host of this tier: a fresh run folder, the shared image and snapshots, no pool.</summary>
    internal VmOptions NewOptions() => new()
    {
        ImageDirectory = ImageDirectory,
        SnapshotDirectory = SnapshotDirectory,
        RunDirectory = Path.Combine(_temp.Path, $"run-{Guid.NewGuid():N}"[..12]),
        BootTimeout = TimeSpan.FromMinutes(5),
        RestoreTimeout = TimeSpan.FromMinutes(2),
        MaxMachines = 8,
        WarmPoolSize = 0,
    };

    /// <summary>A host the fixture disposes at the end if the test did not (tests should dispose their own).</summary>
    internal QemuMachineHost NewHost(Action<VmOptions>? configure = null)
    {
        var options = NewOptions();
        configure?.Invoke(options);
        var host = new QemuMachineHost(Options.Create(options), new HostProbe(), LoggerFactory, TimeProvider.System);
        lock (_extraHosts)
            _extraHosts.Add(host);
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        List<QemuMachineHost> hosts;
        lock (_extraHosts)
            hosts = [.. _extraHosts];
        foreach (var host in hosts)
            await host.DisposeAsync();
        LoggerFactory.Dispose();
        _temp.Dispose();
    }

    public static byte[] HashFile(string path)
    {
        using var file = File.OpenRead(path);
        return SHA256.HashData(file);
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

    private sealed class ConsoleProgress : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine($"snapshot build: {value}");
    }
}

[CollectionDefinition(Name)]
public sealed class QemuMachineCollection : ICollectionFixture<QemuMachineFixture>
{
    public const string Name = "Real QEMU machine";
}
