using Capsule.Vm.Capacity;

namespace Capsule.Vm.Machines;

internal sealed partial class QemuMachineHost
{
    public CapacityInfo Capacity
    {
        get
        {
            var memory = HostMemory.Read(_probe);
            lock (_machines)
                return CapacityNow(memory);
        }
    }

    public void EnsureCapacity(MachineSpec spec)
    {
        Validate(spec);
        var memory = HostMemory.Read(_probe);
        Admission admission;
        lock (_machines)
        {
            // As Reserve would: the oldest pooled machine for this vCPU count is taken, the others may be evicted.
            var pooled = _pool.CountFor(spec.VcpuCount) > 0;
            admission = Admit(spec, memory, pooled ? _options.BaseMemoryMb : null, _pool.Count - (pooled ? 1 : 0));
        }
        if (admission.Refusal is { } refusal)
            throw new MachineException(MachineErrorCode.CapacityExhausted, refusal);
    }

    /// <summary>
    /// Books a machine for <paramref name="spec"/>: the oldest pooled one for its vCPU count (when <paramref name="allowPooled"/>;
    /// <paramref name="fromPool"/> says so) or a new one. Pooled machines, other shapes first, are evicted when that makes it
    /// fit (<see cref="AdmissionRule"/>). Throws <see cref="MachineException"/> (CapacityExhausted), evicting nothing, when it does not fit.
    /// </summary>
    private QemuMachine Reserve(MachineSpec spec, bool allowPooled, out bool fromPool)
    {
        var memory = HostMemory.Read(_probe);
        var dead = new List<QemuMachine>();
        var evicted = new List<QemuMachine>();
        try
        {
            lock (_machines)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var pooled = allowPooled ? _pool.TryTake(spec.VcpuCount, dead) : null;
                foreach (var machine in dead)
                    _machines.Remove(machine.MachineId);
                var admission = Admit(spec, memory, pooled?.CommittedMemoryMb, _pool.Count);
                if (admission.Refusal is { } refusal)
                {
                    if (pooled is not null)
                        _pool.Add(pooled);
                    throw new MachineException(MachineErrorCode.CapacityExhausted, refusal);
                }
                for (var i = 0; i < admission.Evictions; i++)
                {
                    var victim = _pool.TryEvict(spec.VcpuCount)!;
                    _machines.Remove(victim.MachineId);
                    evicted.Add(victim);
                }
                if (pooled is not null)
                {
                    pooled.CommittedMemoryMb = spec.MemoryMb;
                    fromPool = true;
                    return pooled;
                }
                var fresh = NewMachine(spec.VcpuCount);
                fresh.CommittedMemoryMb = spec.MemoryMb;
                _machines.Add(fresh.MachineId, fresh);
                fromPool = false;
                return fresh;
            }
        }
        finally
        {
            Retire([.. dead, .. evicted]);
        }
    }

    /// <summary>Books a new machine for the pool, or returns null when it does not fit (pooling never evicts anything).</summary>
    private QemuMachine? TryReserveForPool(int vcpuCount, out string? refusal)
    {
        var memory = HostMemory.Read(_probe);
        lock (_machines)
        {
            refusal = _disposed
                ? "the host is shutting down"
                : AdmissionRule.Decide(CapacityNow(memory), StartCost.Restore(_options.BaseMemoryMb, _options.BaseMemoryMb), 0, _options.BaseMemoryMb).Refusal;
            if (refusal is not null)
                return null;
            var machine = NewMachine(vcpuCount);
            _machines.Add(machine.MachineId, machine);
            return machine;
        }
    }

    /// <summary>
    /// Decides a start of <paramref name="spec"/> with <see cref="AdmissionRule"/>: a hand-over of a pooled machine that
    /// counts for <paramref name="pooledMemoryMb"/> (null: a restore), which may evict <paramref name="evictable"/> pooled
    /// machines. Call under the machines lock.
    /// </summary>
    private Admission Admit(MachineSpec spec, HostMemory memory, int? pooledMemoryMb, int evictable) =>
        AdmissionRule.Decide(
            CapacityNow(memory),
            pooledMemoryMb is { } pooled ? StartCost.HandOver(spec.MemoryMb, pooled) : StartCost.Restore(spec.MemoryMb, _options.BaseMemoryMb),
            evictable,
            _options.BaseMemoryMb);

    /// <summary>Call under the machines lock.</summary>
    private CapacityInfo CapacityNow(HostMemory memory) => new()
    {
        // With network slots, a machine needs one too: the smaller limit is the host's.
        MaxMachines = _network?.Slots is { } slots ? Math.Min(_options.MaxMachines, slots.MachineCapacity) : _options.MaxMachines,
        Machines = _machines.Count,
        PooledMachines = _pool.Count,
        MemoryOvercommitRatio = _options.MemoryOvercommitRatio,
        HostMemoryTotalMb = memory.TotalMb,
        MemoryLimitMb = (long)(_options.MemoryOvercommitRatio * memory.TotalMb),
        MemoryCommittedMb = _machines.Values.Sum(m => (long)m.CommittedMemoryMb),
        HostMemoryAvailableMb = memory.AvailableMb,
        MinHostAvailableMemoryMb = _options.MinHostAvailableMemoryMb,
        WarmPools = _pool.Size == 0
            ? []
            : [.. _options.PooledVcpuCounts.Select(vcpu => new WarmPoolInfo(vcpu, _pool.CountFor(vcpu), _pool.Size))],
    };
}
