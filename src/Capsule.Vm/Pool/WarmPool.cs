using Capsule.Vm.Machines;

namespace Capsule.Vm.Pool;

/// <summary>
/// Restored, paused machines per vCPU count, oldest first. Not thread-safe: <see cref="QemuMachineHost"/> uses it under
/// its machines lock, so pool contents and capacity accounting change together.
/// </summary>
internal sealed class WarmPool(int size, IReadOnlyList<int> vcpuCounts)
{
    private readonly Dictionary<int, List<QemuMachine>> _machines = vcpuCounts.ToDictionary(v => v, _ => new List<QemuMachine>());

    public int Size { get; } = size;

    public int Count => _machines.Values.Sum(l => l.Count);

    public int CountFor(int vcpuCount) => _machines.TryGetValue(vcpuCount, out var list) ? list.Count : 0;

    public bool Contains(QemuMachine machine) => _machines.TryGetValue(machine.VcpuCount, out var list) && list.Contains(machine);

    /// <summary>The first pooled vCPU count that has fewer than <see cref="Size"/> machines, or null.</summary>
    public int? NextToFill() => Size == 0 ? null : _machines.Where(kv => kv.Value.Count < Size).Select(kv => (int?)kv.Key).FirstOrDefault();

    public void Add(QemuMachine machine) => _machines[machine.VcpuCount].Add(machine);

    /// <summary>Takes the oldest live machine for <paramref name="vcpuCount"/>; dead ones found on the way go to <paramref name="dead"/>.</summary>
    public QemuMachine? TryTake(int vcpuCount, List<QemuMachine> dead)
    {
        if (!_machines.TryGetValue(vcpuCount, out var list))
            return null;
        while (list.Count > 0)
        {
            var machine = list[0];
            list.RemoveAt(0);
            if (!machine.Exited.IsCompleted)
                return machine;
            dead.Add(machine);
        }
        return null;
    }

    /// <summary>Removes one machine, preferring vCPU counts other than <paramref name="keepVcpuCount"/> and the fullest list.</summary>
    public QemuMachine? TryEvict(int keepVcpuCount)
    {
        var list = _machines.Where(kv => kv.Value.Count > 0)
            .OrderBy(kv => kv.Key == keepVcpuCount ? 1 : 0)
            .ThenByDescending(kv => kv.Value.Count)
            .Select(kv => kv.Value)
            .FirstOrDefault();
        if (list is null)
            return null;
        var machine = list[^1];
        list.RemoveAt(list.Count - 1);
        return machine;
    }

    public bool Remove(QemuMachine machine) => _machines.TryGetValue(machine.VcpuCount, out var list) && list.Remove(machine);
}
