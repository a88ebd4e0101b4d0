using Capsule.Vm.Capacity;

namespace Capsule.Vm.Tests.Capacity;

public sealed class CapacityCheckTests
{
    private static readonly CapacityInfo Host = new()
    {
        MaxMachines = 4,
        Machines = 2,
        PooledMachines = 1,
        MemoryOvercommitRatio = 2,
        HostMemoryTotalMb = 8000,
        MemoryLimitMb = 16000,
        MemoryCommittedMb = 10000,
        HostMemoryAvailableMb = 5000,
        MinHostAvailableMemoryMb = 1024,
        WarmPools = [],
    };

    [Fact]
    public void Refusal_Fits_Null()
    {
        Assert.Null(CapacityCheck.Refusal(Host, 1, 6000, 128));
    }

    [Fact]
    public void Refusal_BeyondMaxMachines_NamesTheCountsAndTheLimit()
    {
        var refusal = CapacityCheck.Refusal(Host with { Machines = 4 }, 1, 128, 128);

        Assert.Equal("This host already runs 4 machines (1 of them in the warm pool), its maximum (MaxMachines = 4).", refusal);
    }

    [Fact]
    public void Refusal_BeyondMemoryLimit_NamesCommittedLimitRatioAndRequest()
    {
        var refusal = CapacityCheck.Refusal(Host, 1, 6002, 128);

        Assert.Equal("Not enough memory on this host: its machines already have 10000 MB of the 16000 MB allowed (2 x 8000 MB host memory); 6002 MB more does not fit.", refusal);
    }

    [Fact]
    public void Refusal_HostMemoryLow_NamesAvailableCostAndMinimum()
    {
        var refusal = CapacityCheck.Refusal(Host with { HostMemoryAvailableMb = 1100 }, 1, 256, 128);

        Assert.Equal("Host memory is low: 1100 MB available, and a start that needs 128 MB must leave at least 1024 MB (MinHostAvailableMemoryMb).", refusal);
    }

    [Fact]
    public void Refusal_PooledMachineTakenWhenAtMaxMachines_Fits()
    {
        Assert.Null(CapacityCheck.Refusal(Host with { Machines = 4 }, 0, 896, 0));
    }
}
