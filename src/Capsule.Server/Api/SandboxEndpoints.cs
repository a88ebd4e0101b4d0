using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Api;

/// <summary>InstaVM's <c>GET /v1/sessions/sandboxes</c> (E2B's <c>Sandbox.list()</c>): the caller's sessions, filtered by metadata.</summary>
internal static class SandboxEndpoints
{
    public static IEndpointRouteBuilder MapSandboxApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/sessions/sandboxes", ListAsync)
            .WithTags("Sessions")
            .WithSummary("The caller's sessions, newest first, whose metadata contains the given JSON object")
            .WithQueryParameter("metadata", "string", "A JSON object, matched by containment (jsonb @>): nested objects and arrays allowed")
            .WithQueryParameter("limit", "integer", "1 to 1000; default 100; applied after filtering");
        return app;
    }

    private static async Task<JsonHttpResult<IReadOnlyList<SandboxResponse>>> ListAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, CancellationToken cancellationToken)
    {
        var query = TextFields.Query(request.Query);
        var metadata = query.OptionalJsonObject("metadata");
        var limit = query.Int("limit", defaultValue: 100, min: 1, max: 1000);
        query.ThrowIfInvalid();
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);

        var sessions = await registry.ListOwnedAsync(caller, cancellationToken);
        IReadOnlyList<SandboxResponse> sandboxes = [.. sessions
            .Where(s => metadata is not { } wanted || MetadataContainment.Contains(SessionViews.MetadataOf(s), wanted))
            .Take(limit!.Value)
            .Select(SessionViews.Sandbox)];
        return TypedResults.Json(sandboxes, CapsuleJsonContext.Wire.IReadOnlyListSandboxResponse);
    }
}
