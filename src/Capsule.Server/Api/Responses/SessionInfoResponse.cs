using System.Text.Json;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// <c>GET /v1/sessions/session/{session_id}</c>: what was asked at create and what became of the latest VM.
/// Timestamps are naive ISO UTC.
/// </summary>
/// <param name="Status"><c>created</c> (no VM yet), <c>active</c>, <c>killed</c>, <c>expired</c>, <c>crashed</c> or <c>host_lost</c>.</param>
/// <param name="Metadata">The metadata given at create; <c>{}</c> when none.</param>
/// <param name="ExpiresAt">When the running VM will be destroyed; null when none runs.</param>
/// <param name="EndReason">Why the latest VM ended; null while it runs or before the first.</param>
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
    string? EndReason);
