using System.Text.Json;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// <c>GET /v1/sessions/session/{session_id}</c>: what was asked at create and what became of the latest VM.
/// Timestamps are naive ISO UTC.
/// </summary>
/// <param name="Status">
/// <c>created</c> (no VM yet), <c>active</c>, <c>killed</c>, <c>expired</c>, <c>crashed</c>, <c>oom</c>, <c>host_lost</c>
/// (destroyed by a graceful shutdown) or <c>host_restart</c> (the server was killed while it ran).
/// </param>
/// <param name="Metadata">The metadata given at create; <c>{}</c> when none.</param>
/// <param name="ExpiresAt">When the running VM will be destroyed; null when none runs.</param>
/// <param name="EndReason">Why the latest VM ended (its status word); null while it runs or before the first.</param>
/// <param name="EndDetail">The same in words, e.g. "the guest kernel panicked: ..." (a Capsule extension).</param>
internal sealed record SessionInfoResponse(
    string SessionId,
    string Status,
    string? VmId,
    int VcpuCount,
    int MemoryMb,
    int VmLifetimeSeconds,
    JsonElement Metadata,
    string CreatedAt,
    string? SpawnedAt,
    string? ExpiresAt,
    string? EndedAt,
    string? EndReason,
    string? EndDetail);
