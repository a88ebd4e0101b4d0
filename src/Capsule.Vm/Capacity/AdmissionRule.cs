namespace Capsule.Vm.Capacity;

/// <summary>
/// The one admission rule of the host. A start fits if the host's limits (<see cref="CapacityCheck"/>) hold once it is
/// added, after evicting as few pooled machines as that takes. Evicting frees a machine slot and its committed memory,
/// not host memory it is still using, so it never helps a start that would leave too little host memory available.
/// The early check (<c>EnsureCapacity</c>), the reservation of a start and the warm pool's refill (which evicts nothing)
/// all decide with it.
/// </summary>
internal static class AdmissionRule
{
    /// <param name="now">The host's books as they are.</param>
    /// <param name="start">What the start adds.</param>
    /// <param name="evictable">Pooled machines the start may evict to make room.</param>
    /// <param name="evictableMemoryMb">The memory each of them counts for (a pooled machine's base memory).</param>
    public static Admission Decide(CapacityInfo now, StartCost start, int evictable, int evictableMemoryMb)
    {
        var evictions = 0;
        while (true)
        {
            var after = now with
            {
                Machines = now.Machines - evictions,
                PooledMachines = now.PooledMachines - evictions,
                MemoryCommittedMb = now.MemoryCommittedMb - (long)evictions * evictableMemoryMb,
            };
            var refusal = CapacityCheck.Refusal(after, start.Machines, start.CommittedMemoryMb, start.HostMemoryMb);
            if (refusal is null)
                return new Admission(evictions, null);
            if (evictions == evictable)
                return new Admission(0, refusal);
            evictions++;
        }
    }
}
