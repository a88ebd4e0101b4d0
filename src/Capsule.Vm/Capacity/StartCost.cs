namespace Capsule.Vm.Capacity;

/// <summary>What one start adds to the host's books (<see cref="CapacityInfo"/>).</summary>
/// <param name="Machines">1 for a restored machine, 0 for one taken from the warm pool (it is counted already).</param>
/// <param name="CommittedMemoryMb">How much <see cref="CapacityInfo.MemoryCommittedMb"/> grows.</param>
/// <param name="HostMemoryMb">Host memory the start uses right away.</param>
internal readonly record struct StartCost(int Machines, int CommittedMemoryMb, int HostMemoryMb)
{
    /// <summary>A restore: one more machine, all of <paramref name="memoryMb"/> committed, its base RAM used at once.</summary>
    public static StartCost Restore(int memoryMb, int baseMemoryMb) => new(1, memoryMb, baseMemoryMb);

    /// <summary>
    /// A pooled machine handed over: no new machine, its commitment grows from the <paramref name="pooledMemoryMb"/> it
    /// counts for while pooled, and no host memory is used at once (plugged memory is backed only when touched).
    /// </summary>
    public static StartCost HandOver(int memoryMb, int pooledMemoryMb) => new(0, memoryMb - pooledMemoryMb, 0);
}
