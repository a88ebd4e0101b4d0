using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary><c>GET /v1/sessions/usage/{session_id}</c>: what the session has used, over all its VMs.</summary>
/// <param name="CpuTimeSeconds">Guest CPU time of every finished execution of the session.</param>
/// <param name="MemoryMb">Memory the session's VMs get.</param>
/// <param name="MemoryUsedMb">Memory the running VM's guest uses now; null when no VM runs (or it did not answer).</param>
/// <param name="ExecutionsCount">Executions of the session that finished with a result.</param>
/// <param name="UptimeSeconds">How long the running VM has been up; null when none runs.</param>
/// <param name="VmStatus">As in the status view: null before the first VM.</param>
/// <param name="NetworkRxBytes">Bytes the running VM's guest received over its network; null when no VM runs.</param>
/// <param name="NetworkTxBytes">Bytes it sent that its egress policy let through; null when no VM runs.</param>
/// <param name="NetworkDenied">Connections and name lookups its egress policy refused; null when no VM runs.</param>
/// <param name="GuestCpuSeconds">Extension: the running guest's busy CPU time since it booted; null when no VM runs.</param>
internal sealed record UsageResponse(
    string SessionId,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double CpuTimeSeconds,
    int MemoryMb,
    long? MemoryUsedMb,
    int ExecutionsCount,
    [property: JsonConverter(typeof(NullableSecondsJsonConverter))] double? UptimeSeconds,
    string? VmStatus,
    long? NetworkRxBytes,
    long? NetworkTxBytes,
    long? NetworkDenied,
    [property: JsonConverter(typeof(NullableSecondsJsonConverter))] double? GuestCpuSeconds);
