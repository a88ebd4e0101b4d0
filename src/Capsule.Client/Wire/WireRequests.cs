using System.Text.Json;

namespace Capsule.Client.Wire;

/// <summary><c>POST /v1/sessions/session</c>. Nulls are left out so the server applies its defaults.</summary>
internal sealed record CreateSessionBody(
    string? ApiKey,
    int? VmLifetimeSeconds,
    int? MemoryMb,
    int? VcpuCount,
    IReadOnlyDictionary<string, string>? Metadata,
    IReadOnlyDictionary<string, string>? Env);

/// <summary><c>POST /execute</c>, <c>/execute_async</c> and <c>/v1/execute/stream</c>.</summary>
internal sealed record CommandBody(string Command, string SessionId, string? Language, int? Timeout);

/// <summary><c>POST /kill</c>.</summary>
internal sealed record KillBody(string SessionId);

/// <summary><c>POST /v1/sessions/{id}/extend</c>.</summary>
internal sealed record ExtendBody(int VmLifetimeSeconds);

/// <summary><c>POST /v1/api-keys/</c>.</summary>
internal sealed record CreateApiKeyBody(string? Description, bool? IsAdmin);

/// <summary><c>PATCH /v1/api-keys/{id}</c>.</summary>
internal sealed record UpdateApiKeyBody(string Description);

/// <summary>The body of any error answer: a string, or FastAPI's list of validation problems.</summary>
internal sealed record ErrorBody(JsonElement Detail);

/// <summary><c>POST /v1/shares</c>.</summary>
internal sealed record CreateShareBody(string SessionId, int Port, bool IsPublic);

/// <summary><c>PATCH /v1/shares/{share_id}</c>: one of the two.</summary>
internal sealed record UpdateShareBody(bool? IsPublic, bool? Revoke);

/// <summary><c>POST /v1/egress/session/{session_id}</c>: every field, so the policy is replaced as a whole.</summary>
internal sealed record EgressBody(
    bool AllowPackageManagers, bool AllowHttp, bool AllowHttps, IReadOnlyList<string> AllowedDomains, IReadOnlyList<string> AllowedCidrs);

/// <summary><c>POST /v1/sessions/{id}/pty/sessions</c>.</summary>
internal sealed record CreatePtyBody(int Cols, int Rows, string? Shell);

/// <summary><c>POST /v1/sessions/{id}/pty/sessions/{pty_id}/resize</c>, and the attach socket's resize text frame (with <c>type</c>).</summary>
internal sealed record ResizePtyBody(int Cols, int Rows, string? Type = null);
