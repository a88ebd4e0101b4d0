using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Executions;
using Capsule.Server.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Capsule.Server.Api;

/// <summary>InstaVM's <c>GET /v1/executions/{task_id}</c> and <c>GET /v1/executions/</c>: results of async executions.</summary>
internal static class ExecutionQueryEndpoints
{
    public const string NotFoundDetail = "Execution not found";

    public static IEndpointRouteBuilder MapExecutionQueryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/executions/{task_id}", GetAsync)
            .WithTags("Executions")
            .WithSummary("One async execution: its state, and its result once is_complete")
            .ProducesErrors(404);
        app.MapGet("/v1/executions/", ListAsync)
            .WithTags("Executions")
            .WithSummary("The caller's async executions, newest first, paged")
            .WithQueryParameter("limit", "integer", "1 to 1000; default 100")
            .WithQueryParameter("offset", "integer", "0 or more; default 0");
        return app;
    }

    private static async Task<JsonHttpResult<ExecutionResponse>> GetAsync(
        [FromRoute(Name = "task_id")] string taskId,
        HttpRequest request, ApiKeyAuthenticator auth, IExecutionStore store, ExecutionRunner runner, CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);
        var execution = Guid.TryParse(taskId, out var id) ? await store.GetAsync(id, cancellationToken) : null;
        if (execution is null || !string.Equals(execution.ApiKeyId, caller.KeyId, StringComparison.Ordinal))
            throw new CapsuleException(ErrorCode.NotFound, NotFoundDetail);
        return TypedResults.Json(ToResponse(runner.WithProgress(execution)), CapsuleJsonContext.Wire.ExecutionResponse);
    }

    private static async Task<JsonHttpResult<ExecutionListResponse>> ListAsync(
        HttpRequest request, ApiKeyAuthenticator auth, IExecutionStore store, ExecutionRunner runner, CancellationToken cancellationToken)
    {
        var query = TextFields.Query(request.Query);
        var limit = query.Int("limit", defaultValue: 100, min: 1, max: 1000);
        var offset = query.Int("offset", defaultValue: 0, min: 0, max: int.MaxValue);
        query.ThrowIfInvalid();
        var caller = await auth.AuthenticateAsync(request, bodyKey: null, cancellationToken);

        var (page, total) = await store.ListByKeyAsync(caller.KeyId, limit!.Value, offset!.Value, cancellationToken);
        var executions = page.Select(e => ToResponse(runner.WithProgress(e))).ToList();
        return TypedResults.Json(new ExecutionListResponse(executions, limit.Value, offset.Value, total),
            CapsuleJsonContext.Wire.ExecutionListResponse);
    }

    /// <summary>
    /// A failed execution's stderr ends with its error (InstaVM's SDK reads only the serialized streams); the error
    /// also stays in <c>error</c>.
    /// </summary>
    private static string StderrWithError(ExecutionRecord execution) =>
        execution is { Status: ExecutionStatus.Failed, Error: { Length: > 0 } error }
            ? execution.Stderr + (execution.Stderr.Length == 0 || execution.Stderr.EndsWith('\n') ? "" : "\n") + error + "\n"
            : execution.Stderr;

    private static ExecutionResponse ToResponse(ExecutionRecord execution) => new(
        TaskId: execution.TaskId.ToString("D"),
        SessionId: execution.SessionId.ToString("D"),
        Status: execution.Status.ToWire(),
        IsComplete: execution.Status.IsFinal(),
        SerializedStdout: execution.Stdout,
        SerializedStderr: StderrWithError(execution),
        ExitCode: execution.ExitCode,
        TimedOut: execution.TimedOut,
        Truncated: execution.Truncated,
        OomKilled: execution.OomKilled,
        ExecutionTime: execution.ExecutionTime.TotalSeconds,
        CpuTime: execution.CpuTime.TotalSeconds,
        CreatedAt: WireTime.Format(execution.CreatedAt),
        CompletedAt: WireTime.Format(execution.CompletedAt),
        Error: execution.Error);
}
