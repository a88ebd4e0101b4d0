using Capsule.Server.Metrics;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>
/// The early capacity check of a create, before anything is stored: the VM layer's answer, translated here. The spawn
/// itself checks again and reserves (<see cref="SessionActor"/>).
/// </summary>
internal sealed class MachineAdmission(IMachineHost machines, CapsuleMetrics metrics, ILogger<MachineAdmission> logger)
{
    /// <summary>Throws a 503 <see cref="Api.Errors.CapsuleException"/> when the host has no room for such a VM now.</summary>
    public void EnsureRoom(int vcpuCount, int memoryMb)
    {
        try
        {
            machines.EnsureCapacity(new MachineSpec { VcpuCount = vcpuCount, MemoryMb = memoryMb });
        }
        catch (MachineException refused)
        {
            MachineErrors.Count(refused, metrics);
            throw MachineErrors.Translate(refused, logger);
        }
    }
}
