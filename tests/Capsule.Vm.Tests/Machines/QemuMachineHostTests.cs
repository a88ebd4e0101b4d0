using System.Diagnostics;
using System.Text.Json;
using Capsule.Vm.Machines;
using Capsule.Vm.Qemu;
using Capsule.Vm.Snapshots;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Vm.Tests.Machines;

/// <summary>
/// The host's refusals and its cleanup after failed starts, with shell scripts standing in for QEMU (they answer
/// <c>--version</c>), a fake image and, where a test needs one, a fake snapshot of the right key.
/// </summary>
public sealed class QemuMachineHostTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _image;
    private readonly string _run;
    private readonly string _snapshots;

    public QemuMachineHostTests()
    {
        _image = Directory.CreateDirectory(_temp.File("image")).FullName;
        _run = _temp.File("run");
        _snapshots = _temp.File("snapshots");
        File.WriteAllText(Path.Combine(_image, "initrd.img"), "not an initramfs");
        var kernel = new byte[8192];
        "HdrS"u8.CopyTo(kernel.AsSpan(0x202));
        File.WriteAllBytes(Path.Combine(_image, "vmlinuz"), kernel);
        File.WriteAllText(Path.Combine(_image, "manifest.json"), """{ "key": "fake-image" }""");
        using (var disk = File.Create(Path.Combine(_image, "rootfs.ext4")))
            disk.SetLength(64 * 1024 * 1024);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MachineSpec Spec => new() { VcpuCount = 1, MemoryMb = 256 };

    [Fact]
    public async Task StartAsync_ImageMissing_ThrowsImageMissing()
    {
        await using var host = Host(new VmOptions { ImageDirectory = _temp.File("no-image"), RunDirectory = _run, SnapshotDirectory = _snapshots });

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.ImageMissing, error.Code);
        Assert.Contains("vmlinuz", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, 256)]
    [InlineData(2, 64)]
    [InlineData(2, 9000)]
    public async Task StartAsync_SpecOutOfRange_ThrowsArgumentOutOfRange(int vcpuCount, int memoryMb)
    {
        await using var host = Host(Options(FakeQemu("exec sleep 1000")));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => host.StartAsync(new MachineSpec { VcpuCount = vcpuCount, MemoryMb = memoryMb }, Ct).Bounded());
    }

    [Fact]
    public async Task StartAsync_QemuExitsAtOnce_ThrowsStartFailedWithQemuOutputAndCleansUp()
    {
        await using var host = Host(Options(FakeQemu("echo 'fake-qemu: unsupported option' >&2; exit 1")));
        await FakeSnapshotAsync(host, 1);

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Contains("QEMU exited with code 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("fake-qemu: unsupported option", error.HostDetail, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-qemu", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    [Fact]
    public async Task StartAsync_NoSnapshotAndTheBuildCannotBoot_ThrowsStartFailedAndLeavesNoBuildBehind()
    {
        await using var host = Host(Options(FakeQemu("echo 'fake-qemu: cannot boot' >&2; exit 1")));

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Contains("fake-qemu: cannot boot", error.HostDetail, StringComparison.Ordinal);
        Assert.DoesNotContain("fake-qemu", error.Message, StringComparison.Ordinal);
        var context = await host.Snapshots.GetContextAsync(Ct).Bounded();
        Assert.Empty(Directory.EnumerateDirectories(context.KeyDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    [Fact]
    public async Task StartAsync_BeyondMaxMachines_ThrowsCapacityExhausted()
    {
        var options = Options(FakeQemu("exec sleep 1000"));
        options.MaxMachines = 1;
        await using var host = Host(options);
        await FakeSnapshotAsync(host, 1);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var starting = host.StartAsync(Spec, cts.Token);

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.Bounded());

        Assert.Equal(MachineErrorCode.CapacityExhausted, error.Code);
        Assert.Contains("MaxMachines = 1", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    [Fact]
    public async Task StartAsync_QmpNeverAnswers_ThrowsStartFailedAfterRestoreTimeout()
    {
        var options = Options(FakeQemu("exec sleep 1000"));
        options.RestoreTimeout = TimeSpan.FromSeconds(1);
        await using var host = Host(options);
        await FakeSnapshotAsync(host, 1);

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Contains("connecting to QMP", error.Message, StringComparison.Ordinal);
        Assert.Contains("not ready within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    [Fact]
    public async Task EnsureCapacity_HostMemoryLow_RefusesWithTheNumbers()
    {
        await using var host = Host(Options(FakeQemu("exit 1")), new FakeMeminfoProbe(memTotalMb: 16000, memAvailableMb: 1100));

        var error = Assert.Throws<MachineException>(() => host.EnsureCapacity(Spec));

        Assert.Equal(MachineErrorCode.CapacityExhausted, error.Code);
        Assert.Equal("Host memory is low: 1100 MB available, and a start that needs 128 MB must leave at least 1024 MB (MinHostAvailableMemoryMb).", error.Message);
    }

    [Fact]
    public async Task EnsureCapacity_MemoryBeyondOvercommit_RefusesWithTheNumbers()
    {
        var options = Options(FakeQemu("exit 1"));
        options.MemoryOvercommitRatio = 1.5;
        await using var host = Host(options, new FakeMeminfoProbe(memTotalMb: 2000, memAvailableMb: 1900));

        var error = Assert.Throws<MachineException>(() => host.EnsureCapacity(new MachineSpec { VcpuCount = 2, MemoryMb = 4096 }));

        Assert.Equal("Not enough memory on this host: its machines already have 0 MB of the 3000 MB allowed (1.5 x 2000 MB host memory); 4096 MB more does not fit.", error.Message);
        host.EnsureCapacity(new MachineSpec { VcpuCount = 2, MemoryMb = 2048 });
    }

    [Fact]
    public async Task StartAsync_HostMemoryLow_ThrowsCapacityExhaustedAndStartsNothing()
    {
        await using var host = Host(Options(FakeQemu("exec sleep 1000")), new FakeMeminfoProbe(memTotalMb: 16000, memAvailableMb: 500));

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.CapacityExhausted, error.Code);
        Assert.Contains("500 MB available", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_run) && Directory.EnumerateFileSystemEntries(_run).Any());
    }

    [Fact]
    public async Task Capacity_IdleHost_ReportsLimitsFromOptionsAndMeminfo()
    {
        var options = Options(FakeQemu("exit 1"));
        options.MaxMachines = 7;
        await using var host = Host(options, new FakeMeminfoProbe(memTotalMb: 8000, memAvailableMb: 6000));

        var capacity = host.Capacity;

        Assert.Equal(7, capacity.MaxMachines);
        Assert.Equal(0, capacity.Machines);
        Assert.Equal(0, capacity.PooledMachines);
        Assert.Equal(16000, capacity.MemoryLimitMb);
        Assert.Equal(0, capacity.MemoryCommittedMb);
        Assert.Equal(6000, capacity.HostMemoryAvailableMb);
        Assert.Equal(1024, capacity.MinHostAvailableMemoryMb);
    }

    private VmOptions Options(string qemuBinary) => new()
    {
        ImageDirectory = _image,
        RunDirectory = _run,
        SnapshotDirectory = _snapshots,
        QemuBinary = qemuBinary,
        Accelerator = "tcg",
        BootTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>A shell script that plays QEMU with <paramref name="body"/> (and answers --version and -M help).</summary>
    private string FakeQemu(string body)
    {
        var path = _temp.File($"fake-qemu-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'QEMU emulator version 0.0 (fake)'; exit 0; fi\n"
            + $"if [ \"$1 $2\" = '-M help' ]; then printf 'Supported machines are:\\nq35  Standard PC (alias of {VmOptions.DefaultMachineType})\\n{VmOptions.DefaultMachineType}  Standard PC\\n'; exit 0; fi\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>A snapshot folder the store accepts for <paramref name="vcpuCount"/>; its disk is a real (empty) qcow2.</summary>
    private static async Task FakeSnapshotAsync(QemuMachineHost host, int vcpuCount)
    {
        var context = await host.Snapshots.GetContextAsync(Ct).Bounded();
        var files = context.Files(vcpuCount);
        Directory.CreateDirectory(files.Path);
        foreach (var file in new[] { files.Ram, files.State, files.KernelStub })
            await File.WriteAllTextAsync(file, "fake", Ct);
        using (var qemuImg = Process.Start("qemu-img", ["create", "-q", "-f", "qcow2", files.Disk, "64M"]))
            await qemuImg.WaitForExitAsync(Ct).Bounded();
        var meta = new SnapshotMeta
        {
            Key = context.Key,
            ImageKey = context.ImageKey,
            VcpuCount = vcpuCount,
            BaseMemoryMb = 128,
            HotplugMemoryMb = 8192,
            Accelerator = "tcg",
            TcgTbSizeMb = 32,
            QemuVersion = context.QemuVersion,
            KernelCommandLine = QemuCommandLine.KernelCommandLine,
            CreatedAt = DateTimeOffset.UtcNow,
            BuildSeconds = 0,
            AgentReadySeconds = 0,
            RamFileBytes = 4,
            StateBytes = 4,
            DiskBytes = 4,
        };
        await File.WriteAllBytesAsync(files.Meta, JsonSerializer.SerializeToUtf8Bytes(meta, SnapshotJsonContext.Default.SnapshotMeta), Ct);
    }

    private static QemuMachineHost Host(VmOptions options, IHostProbe? probe = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options), probe ?? new HostProbe(), NullLoggerFactory.Instance, TimeProvider.System);

    public void Dispose() => _temp.Dispose();
}
