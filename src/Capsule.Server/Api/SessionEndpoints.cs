using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Metrics;
using Capsule.Server.RateLimiting;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>InstaVM's session endpoints: create, info, status, kill, and our extend.</summary>
internal static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sessions/session", CreateAsync)
            .WithTags("Sessions")
            .WithSummary("Create a session (no VM yet, unless env is given)")
            .WithDescription("Authenticates with the body's api_key (required, as InstaVM does).")
            .AcceptsJson<CreateSessionRequestSchema>()
            .ProducesErrors(503);
        app.MapGet("/v1/sessions/session/{session_id}", InfoAsync)
            .WithTags("Sessions")
            .WithSummary("A session: its shape, metadata and what became of its latest VM")
            .ProducesErrors(404);
        app.MapGet("/v1/sessions/status/{session_id}", StatusAsync)
            .WithTags("Sessions")
            .WithSummary("Whether the session's VM is alive, and for how long")
            .ProducesErrors(404);
        app.MapPost("/v1/sessions/{session_id}/extend", ExtendAsync)
            .WithTags("Sessions")
            .WithSummary("Extension: make the VM expire vm_lifetime_seconds from now (24 h cap since spawn)")
            .WithDescription("With no VM running, sets the lifetime of the session's next VM.")
            .AcceptsJson<ExtendRequestSchema>()
            .ProducesErrors(404);
        app.MapPost("/kill", KillAsync)
            .WithTags("Sessions")
            .WithSummary("Destroy the session's VM (the session stays; the next execute spawns a fresh VM)")
            .AcceptsJson<KillRequestSchema>()
            .ProducesErrors(400, 404);
        return app;
    }

    /// <summary>
    /// Stores the session; spawns its VM at once only when env vars are given (InstaVM's rule). A host without room
    /// for its VM refuses it here (503), before anything is stored, rather than accepting work it cannot run.
    /// </summary>
    private static async Task<JsonHttpResult<CreateSessionResponse>> CreateAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, MachineAdmission admission, SessionLimits limits,
        KeyQuotas quotas, IEgressStore egress, CapsuleMetrics metrics, TimeProvider time, CancellationToken cancellationToken)
    {
        var startedAt = time.GetTimestamp();
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var signin = auth.DashboardSigninOf(request);
        var body = CreateSessionRequest.Parse(document.RootElement, limits, signedIn: signin is not null);
        var caller = body.ApiKey is null && signin is not null
            ? await auth.AuthenticateSigninAsync(signin, cancellationToken)
            : await auth.AuthenticateKeyAsync(body.ApiKey, cancellationToken);
        quotas.EnsureMachineRoom(caller.KeyId);
        admission.EnsureRoom(body.VcpuCount, body.MemoryMb);

        var record = new SessionRecord
        {
            SessionId = Guid.NewGuid(),
            ApiKeyId = caller.KeyId,
            CreatedAt = time.GetUtcNow(),
            VmLifetimeSeconds = body.VmLifetimeSeconds,
            MemoryMb = body.MemoryMb,
            VcpuCount = body.VcpuCount,
            MetadataJson = body.Metadata?.GetRawText(),
            Env = body.Env,
        };
        var actor = await registry.CreateAsync(record, cancellationToken);
        if (body.EgressPolicy is { } given)
            await egress.PutAsync(record.SessionId, given, record.CreatedAt, cancellationToken);
        if (body.Env.Count > 0)
            await actor.EnsureMachineAsync(cancellationToken);

        metrics.SessionCreated(time.GetElapsedTime(startedAt));
        return TypedResults.Json(new CreateSessionResponse(record.SessionId.ToString("D")),
            CapsuleJsonContext.Wire.CreateSessionResponse);
    }

    private static async Task<JsonHttpResult<SessionStatusResponse>> StatusAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        return TypedResults.Json(SessionStatus.From(actor.CurrentRecord, time.GetUtcNow()),
            CapsuleJsonContext.Wire.SessionStatusResponse);
    }

    private static async Task<JsonHttpResult<SessionInfoResponse>> InfoAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        return TypedResults.Json(SessionViews.Info(actor.CurrentRecord), CapsuleJsonContext.Wire.SessionInfoResponse);
    }

    private static async Task<JsonHttpResult<SessionStatusResponse>> ExtendAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = ExtendRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);

        var result = await actor.ExtendAsync(body.VmLifetimeSeconds, cancellationToken);
        if (!result.Extended)
        {
            throw CapsuleException.Validation(new ValidationError("value_error", ["body", "vm_lifetime_seconds"],
                $"Value error, a VM lives at most {SessionLimits.MaxLifetimeSeconds} s from its spawn; this one can be given at most {result.MaxSeconds} more seconds",
                document.RootElement.GetProperty("vm_lifetime_seconds").Clone()));
        }
        return TypedResults.Json(SessionStatus.From(actor.CurrentRecord, time.GetUtcNow()), CapsuleJsonContext.Wire.SessionStatusResponse);
    }

    /// <summary>Destroys the session's VM. 404 when the session has none (never executed, or already ended).</summary>
    private static async Task<JsonHttpResult<KillResponse>> KillAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = KillRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        if (!Guid.TryParse(body.SessionId, out _))
            throw new CapsuleException(ErrorCode.InvalidArgument, "Invalid session_id format: expected a UUID");

        var actor = await registry.FindOwnedAsync(body.SessionId, caller, cancellationToken);
        var vmId = await actor.KillAsync(cancellationToken)
            ?? throw new CapsuleException(ErrorCode.NotFound,
                "No VM assigned to this session (it never executed, or its VM already ended)");

        var id = actor.SessionId.ToString("D");
        return TypedResults.Json(new KillResponse("success", $"Session {id} killed", id, vmId),
            CapsuleJsonContext.Wire.KillResponse);
    }
}
