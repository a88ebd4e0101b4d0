using Capsule.Vm.Qemu;
using Capsule.Vm.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capsule.Vm.Tests.Qemu;

/// <summary>The host's refusals and its cleanup after failed starts, with shell scripts standing in for QEMU.</summary>
public sealed class QemuMachineHostTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _image;
    private readonly string _run;

    public QemuMachineHostTests()
    {
        _image = Directory.CreateDirectory(_temp.File("image")).FullName;
        _run = _temp.File("run");
        foreach (var name in new[] { "vmlinuz", "initrd.img" })
            File.WriteAllText(Path.Combine(_image, name), "not a kernel");
        using (var disk = File.Create(Path.Combine(_image, "rootfs.ext4")))
            disk.SetLength(64 * 1024 * 1024);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MachineSpec Spec => new() { VcpuCount = 1, MemoryMb = 256 };

    [Fact]
    public async Task StartAsync_ImageMissing_ThrowsImageMissing()
    {
        await using var host = Host(new VmOptions { ImageDirectory = _temp.File("no-image"), RunDirectory = _run });

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

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Contains("QEMU exited with code 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("fake-qemu: unsupported option", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    [Fact]
    public async Task StartAsync_BeyondMaxMachines_ThrowsCapacityExhausted()
    {
        var options = Options(FakeQemu("exec sleep 1000"));
        options.MaxMachines = 1;
        await using var host = Host(options);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var booting = host.StartAsync(Spec, cts.Token);

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => booting.Bounded());

        Assert.Equal(MachineErrorCode.CapacityExhausted, error.Code);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    [Fact]
    public async Task StartAsync_AgentNeverAnswers_ThrowsStartFailedAfterBootTimeout()
    {
        var options = Options(FakeQemu("exec sleep 1000"));
        options.BootTimeout = TimeSpan.FromSeconds(1);
        await using var host = Host(options);

        var error = await Assert.ThrowsAsync<MachineException>(() => host.StartAsync(Spec, Ct).Bounded());

        Assert.Equal(MachineErrorCode.StartFailed, error.Code);
        Assert.Contains("connecting to QMP", error.Message, StringComparison.Ordinal);
        Assert.Contains("not ready within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_run));
    }

    private VmOptions Options(string qemuBinary) => new()
    {
        ImageDirectory = _image,
        RunDirectory = _run,
        QemuBinary = qemuBinary,
        Accelerator = "tcg",
    };

    /// <summary>A shell script that plays QEMU with <paramref name="body"/>.</summary>
    private string FakeQemu(string body)
    {
        var path = _temp.File($"fake-qemu-{Guid.NewGuid():N}");
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static QemuMachineHost Host(VmOptions options) =>
        new(Microsoft.Extensions.Options.Options.Create(options), new HostProbe(), NullLoggerFactory.Instance);

    public void Dispose() => _temp.Dispose();
}
