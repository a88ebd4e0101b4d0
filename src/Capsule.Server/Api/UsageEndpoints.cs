using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>
/// InstaVM's <c>GET /v1/sessions/usage/{session_id}</c>. InstaVM's SDK calls it without any key, so the unguessable
/// session id is the credential for this read-only view; with a key, the usual ownership rules apply.
/// </summary>
internal static class UsageEndpoints
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/sessions/usage/{session_id}", GetAsync)
            .WithTags("Sessions")
            .WithSummary("What a session has used: CPU time, memory, executions, uptime")
            .WithDescription("Answers without an API key too: the session id is the credential for this read-only view.")
            .KeyOptional()
            .ProducesErrors(404);
        return app;
    }

    private static async Task<JsonHttpResult<UsageResponse>> GetAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateIfPresentAsync(request, bodyKey: null, cancellationToken);
        var actor = caller is not null
            ? await registry.FindOwnedAsync(sessionId, caller, cancellationToken)
            : Guid.TryParse(sessionId, out var id) ? await registry.FindAnyAsync(id, cancellationToken) : null;
        if (actor is null)
            throw new CapsuleException(ErrorCode.NotFound, SessionLookup.NotFoundDetail);

        var stats = await actor.TryGetUsageAsync(cancellationToken);
        var session = actor.CurrentRecord;
        var now = time.GetUtcNow();
        double? uptime = session is { VmState: VmState.Active, SpawnedAt: { } spawned } ? Math.Max(0, (now - spawned).TotalSeconds) : null;
        return TypedResults.Json(new UsageResponse(
            SessionId: session.SessionId.ToString("D"),
            CpuTimeSeconds: session.CpuTimeMs / 1000.0,
            MemoryMb: session.MemoryMb,
            MemoryUsedMb: stats?.MemUsedMb,
            ExecutionsCount: session.ExecutionsCount,
            UptimeSeconds: uptime,
            VmStatus: session.VmState?.ToWire(),
            NetworkRxBytes: stats?.NetworkRxBytes,
            NetworkTxBytes: stats?.NetworkTxBytes,
            NetworkDenied: stats?.NetworkDenied,
            GuestCpuSeconds: stats?.CpuTime.TotalSeconds), CapsuleJsonContext.Wire.UsageResponse);
    }
}
