namespace Capsule.Vm.Capacity;

/// <summary>Whether one more start fits this host's limits; the refusal says which limit and with what numbers.</summary>
internal static class CapacityCheck
{
    /// <param name="now">The host as it is.</param>
    /// <param name="addMachines">1 for a new machine, 0 for one taken from the pool.</param>
    /// <param name="addMemoryMb">How much <see cref="CapacityInfo.MemoryCommittedMb"/> grows.</param>
    /// <param name="hostCostMb">Host memory the start uses right away (a new machine's base RAM; 0 for a pooled one).</param>
    /// <returns>Null if it fits, else the reason, for <see cref="MachineErrorCode.CapacityExhausted"/>.</returns>
    public static string? Refusal(CapacityInfo now, int addMachines, int addMemoryMb, int hostCostMb)
    {
        if (now.Machines + addMachines > now.MaxMachines)
        {
            return $"This host already runs {now.Machines} machines ({now.PooledMachines} of them in the warm pool), "
                + $"its maximum (MaxMachines = {now.MaxMachines}).";
        }
        if (now.MemoryCommittedMb + addMemoryMb > now.MemoryLimitMb)
        {
            return $"Not enough memory on this host: its machines already have {now.MemoryCommittedMb} MB of the {now.MemoryLimitMb} MB allowed "
                + $"({now.MemoryOvercommitRatio:0.##} x {now.HostMemoryTotalMb} MB host memory); {addMemoryMb} MB more does not fit.";
        }
        if (now.HostMemoryAvailableMb - hostCostMb < now.MinHostAvailableMemoryMb)
        {
            return $"Host memory is low: {now.HostMemoryAvailableMb} MB available, and a start that needs {hostCostMb} MB "
                + $"must leave at least {now.MinHostAvailableMemoryMb} MB (MinHostAvailableMemoryMb).";
        }
        return null;
    }
}
