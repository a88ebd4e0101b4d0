using Capsule.Vm.Snapshots;
using Capsule.Vm.Tests.Support;

namespace Capsule.Vm.Tests.Snapshots;

/// <summary>The small file helpers snapshots rely on: kernel stub, sparse size, lock.</summary>
public sealed class SnapshotFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    [Fact]
    public void KernelStub_BzImage_KeepsHeaderAndSetupPlusOnePage()
    {
        var kernel = new byte[1024 * 1024];
        kernel[0x1f1] = 7; // setup sectors
        "HdrS"u8.CopyTo(kernel.AsSpan(0x202));
        kernel[100] = 42;
        File.WriteAllBytes(_temp.File("vmlinuz"), kernel);

        KernelStub.Write(_temp.File("vmlinuz"), _temp.File("stub"));

        var stub = File.ReadAllBytes(_temp.File("stub"));
        Assert.Equal((7 + 1) * 512 + 4096, stub.Length);
        Assert.Equal(kernel.AsSpan(0, stub.Length).ToArray(), stub);
    }

    [Fact]
    public void KernelStub_NotABzImage_ThrowsInvalidData()
    {
        File.WriteAllBytes(_temp.File("vmlinuz"), new byte[4096]);

        Assert.Throws<InvalidDataException>(() => KernelStub.Write(_temp.File("vmlinuz"), _temp.File("stub")));
    }

    [Fact]
    public void AllocatedBytes_SparseFileWithOneMegabyteWritten_CountsAboutOneMegabyte()
    {
        using (var file = File.Create(_temp.File("sparse")))
        {
            file.SetLength(100 * 1024 * 1024);
            file.Position = 50 * 1024 * 1024;
            file.Write(new byte[1024 * 1024].Select(_ => (byte)1).ToArray());
        }

        var allocated = SparseFile.AllocatedBytes(_temp.File("sparse"));

        Assert.InRange(allocated, 1024 * 1024, 2 * 1024 * 1024);
    }

    [Fact]
    public void TryAcquire_HeldByAnother_ReturnsNullUntilReleased()
    {
        var path = _temp.File("snap1.lock");
        var first = FileLock.TryAcquire(path);
        Assert.NotNull(first);

        Assert.Null(FileLock.TryAcquire(path));
        first.Dispose();
        using var second = FileLock.TryAcquire(path);

        Assert.NotNull(second);
    }

    public void Dispose() => _temp.Dispose();
}
