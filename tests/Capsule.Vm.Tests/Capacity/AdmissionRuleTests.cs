using Capsule.Vm.Capacity;

namespace Capsule.Vm.Tests.Capacity;

public sealed class AdmissionRuleTests
{
    /// <summary>4 machines of at most 4, 2 of them pooled (128 MB each); 6000 of 16000 MB committed.</summary>
    private static readonly CapacityInfo Full = new()
    {
        MaxMachines = 4,
        Machines = 4,
        PooledMachines = 2,
        MemoryOvercommitRatio = 2,
        HostMemoryTotalMb = 8000,
        MemoryLimitMb = 16000,
        MemoryCommittedMb = 6000,
        HostMemoryAvailableMb = 5000,
        MinHostAvailableMemoryMb = 1024,
        WarmPools = [],
    };

    [Fact]
    public void Decide_FitsAsIs_AdmitsWithoutEvictions()
    {
        var admission = AdmissionRule.Decide(Full with { Machines = 3 }, StartCost.Restore(256, 128), 2, 128);

        Assert.Equal(new Admission(0, null), admission);
    }

    [Fact]
    public void Decide_FitsAfterEvicting_EvictsAsFewAsItTakes()
    {
        var admission = AdmissionRule.Decide(Full, StartCost.Restore(256, 128), 2, 128);

        Assert.True(admission.Admitted);
        Assert.Equal(1, admission.Evictions);
    }

    [Fact]
    public void Decide_MemoryFitsOnlyAfterEvictingBoth_EvictsBoth()
    {
        var admission = AdmissionRule.Decide(Full with { Machines = 2, MemoryCommittedMb = 15900 }, StartCost.Restore(256, 128), 2, 128);

        Assert.Equal(new Admission(2, null), admission);
    }

    [Fact]
    public void Decide_DoesNotFitEvenAfterEvictingAll_RefusesWithTheNumbersAfterEvictionAndEvictsNothing()
    {
        var admission = AdmissionRule.Decide(Full with { MemoryCommittedMb = 16000 }, StartCost.Restore(512, 128), 2, 128);

        Assert.Equal(0, admission.Evictions);
        Assert.Equal("Not enough memory on this host: its machines already have 15744 MB of the 16000 MB allowed (2 x 8000 MB host memory); 512 MB more does not fit.",
            admission.Refusal);
    }

    [Fact]
    public void Decide_HostMemoryLow_EvictingDoesNotHelp()
    {
        var admission = AdmissionRule.Decide(Full with { HostMemoryAvailableMb = 1100 }, StartCost.Restore(256, 128), 2, 128);

        Assert.Equal("Host memory is low: 1100 MB available, and a start that needs 128 MB must leave at least 1024 MB (MinHostAvailableMemoryMb).", admission.Refusal);
    }

    [Fact]
    public void Decide_HandOverOfAPooledMachineAtMaxMachines_FitsWithoutEvictions()
    {
        var admission = AdmissionRule.Decide(Full, StartCost.HandOver(1024, 128), 1, 128);

        Assert.Equal(new Admission(0, null), admission);
    }

    [Fact]
    public void Decide_NothingEvictable_IsTheLimitsCheck()
    {
        var admission = AdmissionRule.Decide(Full, StartCost.Restore(128, 128), 0, 128);

        Assert.Equal("This host already runs 4 machines (2 of them in the warm pool), its maximum (MaxMachines = 4).", admission.Refusal);
    }
}
