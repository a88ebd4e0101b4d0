using Capsule.Server.Api;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Health;

/// <summary><c>GET /health</c>: no key needed; says which accelerator VMs run on and how busy the host is.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Get)
            .WithTags("Service")
            .WithSummary("Liveness, version, accelerator, load, capacity limits and warm pools; no key needed")
            .NoKey();
        return app;
    }

    private static JsonHttpResult<HealthResponse> Get(HostView host) =>
        TypedResults.Json(host.Now(), CapsuleJsonContext.Wire.HealthResponse);
}
