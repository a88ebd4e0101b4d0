using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;
using Microsoft.Extensions.Options;

namespace Capsule.Vm.Tests.RealQemu;

/// <summary>A real snapshot build (snap1) into a private snapshot directory, so the shared snapshots stay untouched.</summary>
[Collection(QemuMachineCollection.Name)]
public sealed class SnapshotBuildTests(QemuMachineFixture fixture) : RealQemuTest(fixture)
{
    [Fact]
    public async Task EnsureAsync_Missing_BuildsReadOnlySnapshotWithMetaRemovesLeftoversAndStaleKeysNobodyUses()
    {
        RequireQemu();
        using var directory = new PrivateSnapshotDirectory();
        var options = Fixture.NewOptions();
        options.SnapshotDirectory = directory.Path;
        await using var host = new QemuMachineHost(Options.Create(options), new HostProbe(), Fixture.LoggerFactory, TimeProvider.System);
        var context = await host.Snapshots.GetContextAsync(Ct);
        var stale = Directory.CreateDirectory(Path.Combine(directory.Path, new string('0', 64))).FullName;
        await File.WriteAllTextAsync(Path.Combine(stale, "snap1.lock"), "", Ct);
        // Another server still restores from this older key: it holds the key's in-use lock (shared).
        var inUse = Directory.CreateDirectory(Path.Combine(directory.Path, new string('1', 64))).FullName;
        using var otherServer = new FileStream(
            Path.Combine(inUse, "in-use.lock"), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var leftover = Directory.CreateDirectory(Path.Combine(context.KeyDirectory, ".build-snap1-deadbeef")).FullName;
        var progress = new ListProgress();

        var snapshot = await host.Snapshots.EnsureAsync(1, force: false, progress, Ct).WaitAsync(TimeSpan.FromMinutes(5), Ct);

        Assert.Equal(context.Files(1).Path, snapshot.Files.Path);
        Assert.Equal(context.Key, snapshot.Meta.Key);
        Assert.Equal(1, snapshot.Meta.VcpuCount);
        Assert.Equal(128, snapshot.Meta.BaseMemoryMb);
        Assert.InRange(snapshot.Meta.RamFileBytes, 16L << 20, 128L << 20);
        Assert.All(new[] { snapshot.Files.Ram, snapshot.Files.Disk, snapshot.Files.State, snapshot.Files.KernelStub },
            f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(f)));
        Assert.Collection(progress.Lines,
            l => Assert.StartsWith("snap1: booting (1 vCPU, 128 MB", l, StringComparison.Ordinal),
            l => Assert.StartsWith("snap1: agent ready after", l, StringComparison.Ordinal),
            l => Assert.StartsWith("snap1: warmed up in", l, StringComparison.Ordinal),
            l => Assert.StartsWith("snap1: saved in", l, StringComparison.Ordinal),
            l => Assert.StartsWith("snap1: done in", l, StringComparison.Ordinal));
        Assert.False(Directory.Exists(leftover));
        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(inUse), "a key another process restores from was deleted");
        Assert.NotNull(SnapshotStore.TryLoad(context, 1));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.RunDirectory));

        var again = await host.Snapshots.EnsureAsync(1, force: false, progress, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(snapshot.Meta.CreatedAt, again.Meta.CreatedAt);
        Assert.Equal(5, progress.Lines.Count);

        await using var machine = await StartAsync(host, 1, 256);
        var result = await PythonAsync(machine, "import sys; print('json' in sys.modules, 'random' in sys.modules); del sys");
        Assert.Equal("True False\n", result.Stdout);
    }

    [Fact]
    public async Task EnsureAsync_BootNeverReady_TriesOnceMoreThenFailsAndLeavesNothing()
    {
        RequireQemu();
        using var directory = new PrivateSnapshotDirectory();
        var options = Fixture.NewOptions();
        options.SnapshotDirectory = directory.Path;
        // No guest boots to its agent in a second, so both attempts fail the same way.
        options.BootTimeout = TimeSpan.FromSeconds(1);
        await using var host = new QemuMachineHost(Options.Create(options), new HostProbe(), Fixture.LoggerFactory, TimeProvider.System);
        var context = await host.Snapshots.GetContextAsync(Ct);
        var progress = new ListProgress();

        var error = await Assert.ThrowsAsync<MachineException>(
            () => host.Snapshots.EnsureAsync(1, force: false, progress, Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct));

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Contains("not ready within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Collection(progress.Lines,
            l => Assert.StartsWith("snap1: booting (1 vCPU", l, StringComparison.Ordinal),
            l => Assert.StartsWith("snap1: attempt 1 failed, booting again: Machine vm-", l, StringComparison.Ordinal),
            l => Assert.StartsWith("snap1: booting (1 vCPU", l, StringComparison.Ordinal));
        Assert.Null(SnapshotStore.TryLoad(context, 1));
        Assert.Empty(Directory.EnumerateDirectories(context.KeyDirectory, ".build-*"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.RunDirectory));
    }

    /// <summary>A snapshot directory of the test's own under /dev/shm; deleted at the end, with its parent once that is empty.</summary>
    private sealed class PrivateSnapshotDirectory : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine("/dev/shm", "capsule-vm-tests", Guid.NewGuid().ToString("N")[..12]);

        public void Dispose()
        {
            if (Directory.Exists(Path))
                Directory.Delete(Path, recursive: true);
            var parent = System.IO.Path.GetDirectoryName(Path)!;
            if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
                Directory.Delete(parent);
        }
    }

    private sealed class ListProgress : IProgress<string>
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                    return [.. _lines];
            }
        }

        public void Report(string value)
        {
            lock (_lines)
                _lines.Add(value);
        }
    }
}
