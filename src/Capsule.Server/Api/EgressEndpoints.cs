using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Egress;
using Capsule.Server.Sessions;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>
/// InstaVM's <c>GET/POST /v1/egress/session/{session_id}</c>. The answer is the policy in force. A policy holds for every
/// VM of the session, so an ended session's policy is stored for its next VM.
/// </summary>
internal static class EgressEndpoints
{
    public static IEndpointRouteBuilder MapEgressApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/egress/session/{session_id}", GetAsync)
            .WithTags("Egress")
            .WithSummary("The egress policy in force for a session (the server's default until one is set)")
            .ProducesErrors(404);
        app.MapPost("/v1/egress/session/{session_id}", SetAsync)
            .WithTags("Egress")
            .WithSummary("Set a session's egress policy; absent fields are false or empty")
            .WithDescription("Applies at once to the running VM's new connections and lookups, and closes proxied connections the new policy forbids; an ended session keeps it for its next VM (docs/network.md §4).")
            .AcceptsJson<EgressPolicySchema>()
            .ProducesErrors(404, 422);
        return app;
    }

    private static async Task<JsonHttpResult<EgressPolicyResponse>> GetAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, SessionEgress egress, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);
        var policy = await egress.PolicyForAsync(actor.SessionId, cancellationToken);
        return TypedResults.Json(ToResponse(actor.SessionId, policy), CapsuleJsonContext.Wire.EgressPolicyResponse);
    }

    private static async Task<JsonHttpResult<EgressPolicyResponse>> SetAsync(
        [FromRoute(Name = "session_id")] string sessionId,
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, IEgressStore store, TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var fields = new BodyFields(document.RootElement);
        var policy = EgressPolicyParser.Parse(fields);
        var apiKey = fields.OptionalString("api_key");
        fields.ThrowIfInvalid();
        var caller = await auth.AuthenticateAsync(request, apiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId, caller, cancellationToken);

        await store.PutAsync(actor.SessionId, policy!, time.GetUtcNow(), cancellationToken);
        await actor.ApplyEgressAsync(cancellationToken);
        return TypedResults.Json(ToResponse(actor.SessionId, policy!), CapsuleJsonContext.Wire.EgressPolicyResponse);
    }

    private static EgressPolicyResponse ToResponse(Guid sessionId, EgressPolicy policy) => new(
        SessionId: sessionId.ToString("D"),
        AllowPackageManagers: policy.AllowPackageManagers,
        AllowHttp: policy.AllowHttp,
        AllowHttps: policy.AllowHttps,
        AllowedDomains: policy.AllowedDomains,
        AllowedCidrs: policy.AllowedCidrs);
}
