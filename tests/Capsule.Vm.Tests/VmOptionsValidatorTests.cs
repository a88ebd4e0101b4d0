namespace Capsule.Vm.Tests;

public sealed class VmOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var result = new VmOptionsValidator().Validate(null, new VmOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SeveralMistakes_ReportsAllAtOnce()
    {
        var options = new VmOptions
        {
            ImageDirectory = "",
            RunDirectory = "/tmp/" + new string('r', 100),
            QemuBinary = " ",
            Accelerator = "hvf",
            BaseMemoryMb = 127,
            TcgTbSizeMb = -1,
            BootTimeout = TimeSpan.Zero,
            MaxMachines = 0,
        };

        var result = new VmOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Equal(8, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("ImageDirectory", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("RunDirectory", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("QemuBinary", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Accelerator", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("BaseMemoryMb", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TcgTbSizeMb", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("BootTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("MaxMachines", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BadPoolCapacityAndSnapshotSettings_ReportsEach()
    {
        var options = new VmOptions
        {
            SnapshotDirectory = "/srv/it's",
            WarmPoolSize = -1,
            WarmPoolVcpus = "2,3",
            MemoryOvercommitRatio = 0,
            MinHostAvailableMemoryMb = -5,
            DiskQuotaMb = 0,
            RestoreTimeout = TimeSpan.Zero,
        };

        var failures = new VmOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(7, failures.Count);
        foreach (var name in new[] { "SnapshotDirectory", "WarmPoolSize", "WarmPoolVcpus", "MemoryOvercommitRatio", "MinHostAvailableMemoryMb", "DiskQuotaMb", "RestoreTimeout" })
            Assert.Contains(failures, f => f.StartsWith(name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("q35")]
    [InlineData("pc-q35")]
    [InlineData("pc-i440fx-7.2")]
    [InlineData("pc-q35-7.2,memory-backend=x")]
    public void Validate_MachineTypeNotAVersionedQ35_Fails(string machineType)
    {
        var failures = new VmOptionsValidator().Validate(null, new VmOptions { MachineType = machineType }).Failures!.ToList();

        Assert.Single(failures);
        Assert.StartsWith("MachineType must be a versioned q35 machine type such as pc-q35-7.2", failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FileIdleTimeoutUnderOneSecond_Fails()
    {
        var failures = new VmOptionsValidator().Validate(null, new VmOptions { FileIdleTimeout = TimeSpan.FromMilliseconds(10) }).Failures!.ToList();

        Assert.Single(failures);
        Assert.StartsWith("FileIdleTimeout", failures[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PathWithComma_FailsBecauseQemuSplitsOnCommas()
    {
        var result = new VmOptionsValidator().Validate(null, new VmOptions { ImageDirectory = "/srv/a,b" });

        Assert.True(result.Failed);
        Assert.Contains("comma", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HealthProbe_IntervalPositiveAndTimeoutAtLeastOneSecond()
    {
        var options = new VmOptions { HealthProbeInterval = TimeSpan.Zero, HealthProbeTimeout = TimeSpan.FromMilliseconds(500) };

        var failures = new VmOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("HealthProbeInterval must be positive", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("HealthProbeTimeout must be at least 1 second", StringComparison.Ordinal));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)), (new VmOptions().HealthProbeInterval, new VmOptions().HealthProbeTimeout));
    }
}
