namespace Capsule.Server.Api.Responses;

/// <summary><c>GET /v1/executions/</c>: one page of the caller's executions, newest first.</summary>
/// <param name="Total">How many executions the caller has in all.</param>
internal sealed record ExecutionListResponse(IReadOnlyList<ExecutionResponse> Executions, int Limit, int Offset, int Total);
