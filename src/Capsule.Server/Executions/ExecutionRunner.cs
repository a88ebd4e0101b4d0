using System.Collections.Concurrent;
using Capsule.Server.Api.Errors;
using Capsule.Server.Auth;
using Capsule.Server.RateLimiting;
using Capsule.Server.Sessions;
using Capsule.Server.Sessions.Runs;
using Capsule.Server.Store;

namespace Capsule.Server.Executions;

/// <summary>
/// Runs <c>POST /execute_async</c> work in the background. Each execution is stored as queued before the request
/// returns, then running, then completed (any exit, a timeout included) or failed (no exit: the VM could not start,
/// was killed, expired or crashed, or the server stopped) with the reason in <c>error</c>. While it runs, polls see
/// the output so far. The store is the record; the live table only adds progress.
/// </summary>
/// <remarks>A key's unfinished executions are capped (<see cref="KeyQuotas"/>), so a flood of them is refused, not queued.</remarks>
internal sealed partial class ExecutionRunner(
    IExecutionStore store, KeyQuotas quotas, TimeProvider time, ILogger<ExecutionRunner> logger)
{
    public const string ServerStoppedError = "The server stopped before the execution finished";
    private const string InternalError = "Internal server error";

    private readonly ConcurrentDictionary<Guid, Running> _running = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Stores the execution as queued and starts it; returns at once.</summary>
    public async Task<ExecutionRecord> StartAsync(
        SessionActor actor, Caller caller, CodeRun request, CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
            throw new CapsuleException(ErrorCode.Unavailable, "The server is shutting down");
        var record = new ExecutionRecord
        {
            TaskId = Guid.NewGuid(),
            ApiKeyId = caller.KeyId,
            SessionId = actor.SessionId,
            Status = ExecutionStatus.Queued,
            CreatedAt = time.GetUtcNow(),
        };
        quotas.AcquireExecution(caller.KeyId);
        try
        {
            await store.InsertAsync(record, cancellationToken);
        }
        catch
        {
            quotas.ReleaseExecution(caller.KeyId);
            throw;
        }
        var running = new Running(record, new LiveOutput(request.OutputLimitBytes));
        _running[record.TaskId] = running;
        running.Completion = Task.Run(() => RunAsync(actor, running, request), CancellationToken.None);
        LogQueued(logger, record.TaskId, actor.SessionId);
        return record;
    }

    /// <summary>The stored execution, with the output so far when it is still running here.</summary>
    public ExecutionRecord WithProgress(ExecutionRecord stored)
    {
        if (stored.Status.IsFinal() || !_running.TryGetValue(stored.TaskId, out var running))
            return stored;
        var (stdout, stderr) = running.Output.Read();
        return stored with
        {
            Status = running.Started ? ExecutionStatus.Running : stored.Status,
            Stdout = stdout,
            Stderr = stderr,
            ExecutionTime = running.Started ? time.GetElapsedTime(running.StartedAt) : TimeSpan.Zero,
        };
    }

    /// <summary>Cancels every running execution (each is recorded as failed) and waits for them to be recorded.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Values.Select(r => r.Completion)).WaitAsync(cancellationToken);
    }

    private async Task RunAsync(SessionActor actor, Running running, CodeRun request)
    {
        var record = running.Record;
        try
        {
            await store.MarkRunningAsync(record.TaskId, CancellationToken.None);
            running.StartedAt = time.GetTimestamp();
            running.Started = true;
            var final = await ExecuteAsync(actor, running, request);
            await store.FinishAsync(final, CancellationToken.None);
            LogFinished(logger, record.TaskId, final.Status);
        }
#pragma warning disable CA1031 // The top of a background task: nobody else could observe the failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogCrashed(logger, record.TaskId, ex);
            await store.FinishAsync(Failed(running, InternalError), CancellationToken.None);
        }
        finally
        {
            _running.TryRemove(record.TaskId, out _);
            quotas.ReleaseExecution(record.ApiKeyId);
        }
    }

    /// <summary>Runs the code; refusals and interruptions become a failed record, bugs propagate.</summary>
    private async Task<ExecutionRecord> ExecuteAsync(SessionActor actor, Running running, CodeRun request)
    {
        try
        {
            var result = await actor.ExecuteAsync(request, running.Output.AppendAsync, _stopping.Token);
            return running.Record with
            {
                Status = ExecutionStatus.Completed,
                Stdout = result.Stdout,
                Stderr = result.Stderr,
                ExitCode = result.ExitCode,
                TimedOut = result.TimedOut,
                Truncated = result.OutputTruncated,
                OomKilled = result.OomKilled,
                ExecutionTime = result.WallTime,
                CpuTime = result.CpuTime,
                CompletedAt = time.GetUtcNow(),
            };
        }
        catch (CapsuleException refusal)
        {
            return Failed(running, refusal.Message);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return Failed(running, ServerStoppedError);
        }
    }

    private ExecutionRecord Failed(Running running, string error)
    {
        var (stdout, stderr) = running.Output.Read();
        return running.Record with
        {
            Status = ExecutionStatus.Failed,
            Stdout = stdout,
            Stderr = stderr,
            ExecutionTime = running.Started ? time.GetElapsedTime(running.StartedAt) : TimeSpan.Zero,
            CompletedAt = time.GetUtcNow(),
            Error = error,
        };
    }

    private sealed class Running(ExecutionRecord record, LiveOutput output)
    {
        public ExecutionRecord Record { get; } = record;
        public LiveOutput Output { get; } = output;
        public Task Completion { get; set; } = Task.CompletedTask;
        public volatile bool Started;
        public long StartedAt;
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Execution {TaskId} queued on session {SessionId}")]
    private static partial void LogQueued(ILogger logger, Guid taskId, Guid sessionId);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Execution {TaskId} {Status}")]
    private static partial void LogFinished(ILogger logger, Guid taskId, ExecutionStatus status);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "Execution {TaskId} failed unexpectedly")]
    private static partial void LogCrashed(ILogger logger, Guid taskId, Exception exception);
}
