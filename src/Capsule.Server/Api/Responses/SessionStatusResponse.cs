using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// <c>GET /v1/sessions/status/{session_id}</c>, field for field as InstaVM documents it. <c>created_at</c> is a naive
/// ISO UTC timestamp (<c>2025-01-10T12:34:56</c>).
/// </summary>
internal sealed record SessionStatusResponse(
    string SessionId,
    bool Exists,
    bool VmAssigned,
    string? VmStatus,
    string? VmId,
    bool VmAlive,
    [property: JsonConverter(typeof(NullableSecondsJsonConverter))] double? UptimeSeconds,
    [property: JsonConverter(typeof(NullableSecondsJsonConverter))] double? ExpiresInSeconds,
    string CreatedAt);
