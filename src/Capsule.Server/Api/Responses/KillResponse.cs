namespace Capsule.Server.Api.Responses;

/// <summary><c>POST /kill</c> → <c>{"status":"success","message":"Session (id) killed","session_id","vm_id"}</c>.</summary>
internal sealed record KillResponse(string Status, string Message, string SessionId, string VmId);
