namespace Capsule.Server.Api.Responses;

/// <summary><c>POST /execute_async</c> → <c>{"task_id": "(a uuid)", "session_id": "...", "status": "queued"}</c>.</summary>
internal sealed record AsyncExecuteResponse(string TaskId, string SessionId, string Status);
