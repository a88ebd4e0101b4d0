namespace Capsule.Server.Api.Responses;

/// <summary><c>POST /v1/sessions/session</c> → <c>{"session_id": "(a uuid)"}</c>.</summary>
internal sealed record CreateSessionResponse(string SessionId);
