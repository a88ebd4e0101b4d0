using Capsule.Vm.Snapshots;

namespace Capsule.Vm.Tests.Snapshots;

public sealed class SnapshotKeyTests
{
    [Fact]
    public void Compute_SameInputs_SameKey()
    {
        Assert.Equal(SnapshotKey.Compute("image", "qemu 7.2", "shape"), SnapshotKey.Compute("image", "qemu 7.2", "shape"));
        Assert.True(SnapshotKey.IsKey(SnapshotKey.Compute("image", "qemu 7.2", "shape")));
    }

    [Theory]
    [InlineData("image2", "qemu 7.2", "shape")]
    [InlineData("image", "qemu 8.0", "shape")]
    [InlineData("image", "qemu 7.2", "shape2")]
    public void Compute_AnyInputChanged_DifferentKey(string image, string qemu, string shape)
    {
        Assert.NotEqual(SnapshotKey.Compute("image", "qemu 7.2", "shape"), SnapshotKey.Compute(image, qemu, shape));
    }

    [Theory]
    [InlineData("snap1")]
    [InlineData("ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    public void IsKey_NotSixtyFourLowercaseHex_False(string name)
    {
        Assert.False(SnapshotKey.IsKey(name));
    }
}
