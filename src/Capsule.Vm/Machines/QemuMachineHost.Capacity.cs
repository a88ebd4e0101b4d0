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
        string? refusal;
        lock (_machines)
        {
            var pooled = _pool.CountFor(spec.VcpuCount) > 0;
            var evictable = _pool.Count - (pooled ? 1 : 0);
            var now = CapacityNow(memory);
            // Pooled machines of other shapes would be evicted to make room, so they do not count here.
            now = now with
            {
                Machines = now.Machines - evictable,
                MemoryCommittedMb = now.MemoryCommittedMb - (long)evictable * _options.BaseMemoryMb,
            };
            refusal = pooled
                ? CapacityCheck.Refusal(now, 0, spec.MemoryMb - _options.BaseMemoryMb, 0)
                : CapacityCheck.Refusal(now, 1, spec.MemoryMb, _options.BaseMemoryMb);
        }
        if (refusal is not null)
            throw new MachineException(MachineErrorCode.CapacityExhausted, refusal);
    }

    /// <summary>
    /// Books a machine for <paramref name="spec"/>: the oldest pooled one for its vCPU count (when <paramref name="allowPooled"/>;
    /// <paramref name="fromPool"/> says so) or a new one. Pooled machines of other shapes are evicted when that makes it fit.
    /// Throws <see cref="MachineException"/> (CapacityExhausted) when it does not fit.
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
                while (true)
                {
                    var now = CapacityNow(memory);
                    var refusal = pooled is null
                        ? CapacityCheck.Refusal(now, 1, spec.MemoryMb, _options.BaseMemoryMb)
                        : CapacityCheck.Refusal(now, 0, spec.MemoryMb - pooled.CommittedMemoryMb, 0);
                    if (refusal is null)
                        break;
                    if (_pool.TryEvict(spec.VcpuCount) is { } victim)
                    {
                        _machines.Remove(victim.MachineId);
                        evicted.Add(victim);
                        continue;
                    }
                    if (pooled is not null)
                        _pool.Add(pooled);
                    throw new MachineException(MachineErrorCode.CapacityExhausted, refusal);
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
            refusal = _disposed ? "the host is shutting down" : CapacityCheck.Refusal(CapacityNow(memory), 1, _options.BaseMemoryMb, _options.BaseMemoryMb);
            if (refusal is not null)
                return null;
            var machine = NewMachine(vcpuCount);
            _machines.Add(machine.MachineId, machine);
            return machine;
        }
    }

    /// <summary>Call under the machines lock.</summary>
    private CapacityInfo CapacityNow(HostMemory memory) => new()
    {
        MaxMachines = _options.MaxMachines,
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
