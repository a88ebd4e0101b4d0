using Capsule.Server.Api.Errors;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>InstaVM's session endpoints: create, status, kill.</summary>
internal static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sessions/session", CreateAsync);
        app.MapGet("/v1/sessions/status/{session_id}", StatusAsync);
        app.MapPost("/kill", KillAsync);
        return app;
    }

    /// <summary>Stores the session; spawns its VM at once only when env vars are given (InstaVM's rule).</summary>
    private static async Task<JsonHttpResult<CreateSessionResponse>> CreateAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = CreateSessionRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateKeyAsync(body.ApiKey, cancellationToken);

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
        if (body.Env.Count > 0)
            await actor.EnsureMachineAsync(cancellationToken);

        return TypedResults.Json(new CreateSessionResponse(record.SessionId.ToString("D")),
            CapsuleJsonContext.Wire.CreateSessionResponse);
    }

    private static async Task<JsonHttpResult<SessionStatusResponse>> StatusAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        return TypedResults.Json(SessionStatus.From(actor.Snapshot, time.GetUtcNow()),
            CapsuleJsonContext.Wire.SessionStatusResponse);
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
