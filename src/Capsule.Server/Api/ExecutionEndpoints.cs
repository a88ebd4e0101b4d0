using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Vm;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Api;

/// <summary>InstaVM's <c>POST /execute</c>.</summary>
internal static class ExecutionEndpoints
{
    public static IEndpointRouteBuilder MapExecutionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/execute", ExecuteAsync);
        return app;
    }

    /// <summary>Runs code in the session's VM (spawning a fresh one when it has none) and waits for the result.</summary>
    private static async Task<JsonHttpResult<ExecuteResponse>> ExecuteAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = CommandRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(body.SessionId, caller, cancellationToken);

        var result = await actor.ExecuteAsync(new ExecRequest
        {
            Language = body.Language,
            Code = body.Code,
            Timeout = TimeSpan.FromSeconds(body.TimeoutSeconds),
        }, cancellationToken);

        return TypedResults.Json(new ExecuteResponse(
            result.Stdout, result.Stderr, result.WallTime.TotalSeconds, result.CpuTime.TotalSeconds, result.ExitCode, result.TimedOut),
            CapsuleJsonContext.Wire.ExecuteResponse);
    }
}
