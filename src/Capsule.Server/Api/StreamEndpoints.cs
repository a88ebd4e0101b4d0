using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Requests;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Streaming;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Sessions;
using Capsule.Server.Sessions.Runs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capsule.Server.Api;

/// <summary>
/// Extension: <c>POST /v1/execute/stream</c>. Output arrives as server-sent events while the code runs:
/// <c>stdout</c>/<c>stderr</c> events (<c>{"text"}</c>) in production order per stream, then one <c>exit</c> event, or
/// one <c>error</c> event (<c>{"detail"}</c>) when no exit could be had. Refusals before the stream starts (validation,
/// key, unknown session, a VM that cannot start) keep their HTTP status. A disconnect kills the process unless the body
/// says <c>"detach": true</c>.
/// </summary>
internal static partial class StreamEndpoints
{
    public static IEndpointRouteBuilder MapStreamApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/execute/stream", StreamAsync)
            .WithTags("Executions")
            .WithSummary("Extension: run code and stream its output as server-sent events")
            .WithDescription("Events: 'stdout' and 'stderr' with data {\"text\": ...}, then 'exit' with data " +
                "{\"exit_code\", \"timed_out\", \"execution_time\", \"cpu_time\"}, or 'error' with data {\"detail\": ...}. " +
                "Disconnecting kills the process unless the body has \"detach\": true.")
            .AcceptsJson<StreamRequestSchema>()
            .ProducesEventStream()
            .ProducesErrors(404, 503);
        return app;
    }

    private static async Task<EmptyHttpResult> StreamAsync(
        HttpContext context, ApiKeyAuthenticator auth, SessionRegistry registry, IHostApplicationLifetime lifetime,
        ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var request = context.Request;
        using var document = await JsonBody.ReadObjectAsync(request, cancellationToken);
        var body = CommandRequest.Parse(document.RootElement);
        var caller = await auth.AuthenticateAsync(request, body.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(body.SessionId, caller, cancellationToken);
        await actor.EnsureMachineAsync(cancellationToken);

        var logger = loggers.CreateLogger(typeof(StreamEndpoints));
        var events = new ServerSentEvents(context.Response);
        await events.StartAsync(cancellationToken);
        var clientGone = false;
        async ValueTask OnOutputAsync(RunOutput chunk)
        {
            if (clientGone)
                return;
            var name = chunk.Stream == RunStream.Stderr ? "stderr" : "stdout";
            try
            {
                await events.WriteAsync(name, new StreamTextEvent(chunk.Text), CapsuleJsonContext.Wire.StreamTextEvent, cancellationToken);
            }
            catch (Exception ex) when (body.Detach && cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException)
            {
                clientGone = true;
                LogDetached(logger, actor.SessionId);
            }
        }

        // Detached, the execution outlives the request (but not the server); otherwise a disconnect cancels it.
        var executionToken = body.Detach ? lifetime.ApplicationStopping : cancellationToken;
        RunResult result;
        try
        {
            result = await actor.ExecuteAsync(body.ToCodeRun(), OnOutputAsync, executionToken);
        }
        catch (CapsuleException refusal)
        {
            if (!clientGone)
                await events.WriteAsync("error", new ErrorDetail(refusal.Message), CapsuleJsonContext.Wire.ErrorDetail, cancellationToken);
            return TypedResults.Empty;
        }
        if (!clientGone)
        {
            await events.WriteAsync("exit", new StreamExitEvent(result.ExitCode, result.TimedOut, result.WallTime.TotalSeconds,
                result.CpuTime.TotalSeconds, result.OutputTruncated, result.OomKilled), CapsuleJsonContext.Wire.StreamExitEvent,
                cancellationToken);
        }
        return TypedResults.Empty;
    }

    [LoggerMessage(EventId = 520, Level = LogLevel.Information,
        Message = "Stream client of session {SessionId} disconnected; the detached execution goes on")]
    private static partial void LogDetached(ILogger logger, Guid sessionId);
}
