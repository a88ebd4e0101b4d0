namespace Capsule.Server.Api.Responses;

/// <summary>
/// InstaVM's <c>GET /v1/sessions/app-url/{session_id}</c>: <c>{url, direct_url, vm_ip, port, vm_id, session_id, status,
/// expires_in_seconds}</c>. <c>url</c> and <c>direct_url</c> are the same share URL on the apps origin; <c>vm_ip</c> is
/// the guest's own address (the same in every VM; only the host reaches it).
/// </summary>
internal sealed record AppUrlResponse(
    string Url, string DirectUrl, string VmIp, int Port, string? VmId, string SessionId, string Status, int? ExpiresInSeconds);

/// <summary>A share: a session's guest port at a URL of the apps origin.</summary>
internal sealed record ShareResponse(
    string ShareId, string SessionId, int Port, bool IsPublic, string Url, string Status, string CreatedAt, string? RevokedAt);

/// <summary>
/// A one-time share token (Capsule's extension, <c>POST /v1/shares/{share_id}/token</c>): <c>url</c> is the share URL
/// with <c>capsule_share_token</c>, for a browser to open once within <c>expires_in_seconds</c>.
/// </summary>
internal sealed record ShareTokenResponse(string ShareId, string Token, string Url, int ExpiresInSeconds, string ExpiresAt);
