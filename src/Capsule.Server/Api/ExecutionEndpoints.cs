using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Executions;
using Capsule.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Api;

/// <summary>InstaVM's <c>POST /execute</c> and <c>POST /execute_async</c>.</summary>
internal static class ExecutionEndpoints
{
    public static IEndpointRouteBuilder MapExecutionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/execute", ExecuteAsync)
            .WithTags("Executions")
            .WithSummary("Run code and wait for the result")
            .WithDescription("The first call on a session spawns its VM. Python state persists between calls; bash keeps cwd and exports.")
            .AcceptsJson<CommandRequestSchema>()
            .ProducesErrors(404, 409, 503, 504);
        app.MapPost("/execute_async", ExecuteInBackgroundAsync)
            .WithTags("Executions")
            .WithSummary("Start code in the background; poll GET /v1/executions/{task_id}")
            .AcceptsJson<CommandRequestSchema>()
            .ProducesErrors(404, 503);
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

        var result = await actor.ExecuteAsync(body.ToCodeRun(), onOutput: null, cancellationToken);

        return TypedResults.Json(new ExecuteResponse(
            result.Stdout, result.Stderr, result.WallTime.TotalSeconds, result.CpuTime.TotalSeconds, result.ExitCode, result.TimedOut,
            result.OutputTruncated, result.OomKilled),
            CapsuleJsonContext.Wire.ExecuteResponse);
    }

    /// <summary>Queues the code on the session and answers with its task id at once; the VM spawns in the background.</summary>
    private static async Task<JsonHttpResult<AsyncExecuteResponse>> ExecuteInBackgroundAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, ExecutionRunner runner, CancellationToken cancellationToken)
    {
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = CommandRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(body.SessionId, caller, cancellationToken);

        var execution = await runner.StartAsync(actor, caller, body.ToCodeRun(), cancellationToken);

        return TypedResults.Json(new AsyncExecuteResponse(
            execution.TaskId.ToString("D"), execution.SessionId.ToString("D"), "queued"), CapsuleJsonContext.Wire.AsyncExecuteResponse);
    }
}
