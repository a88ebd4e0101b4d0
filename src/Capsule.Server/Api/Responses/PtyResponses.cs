namespace Capsule.Server.Api.Responses;

/// <summary>
/// A PTY: <c>status</c> is <c>running</c> or <c>exited</c> (then <c>exit_code</c>, null when its VM went away under it);
/// <c>attach_url</c> is the WebSocket's path.
/// </summary>
internal sealed record PtyResponse(
    string PtyId, string SessionId, int Cols, int Rows, string Shell, string Status, int? ExitCode, bool Attached,
    string CreatedAt, string? EndedAt, string AttachUrl);

/// <summary>A single-use token for the attach WebSocket (browsers cannot set X-API-Key there).</summary>
internal sealed record PtyTokenResponse(string Token, int ExpiresInSeconds, string AttachUrl);
