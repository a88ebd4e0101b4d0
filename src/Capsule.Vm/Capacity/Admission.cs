namespace Capsule.Vm.Capacity;

/// <summary>What <see cref="AdmissionRule"/> decided for one start.</summary>
/// <param name="Evictions">How many pooled machines must be evicted first for the start to fit (0 if it fits as is).</param>
/// <param name="Refusal">Null if the start is admitted, else why not, for <see cref="MachineErrorCode.CapacityExhausted"/>.</param>
internal sealed record Admission(int Evictions, string? Refusal)
{
    public bool Admitted => Refusal is null;
}
