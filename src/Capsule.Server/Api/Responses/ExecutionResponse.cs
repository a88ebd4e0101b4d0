using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// <c>GET /v1/executions/{task_id}</c>: InstaVM's <c>is_complete, serialized_stdout, serialized_stderr (plain text),
/// execution_time, cpu_time, created_at</c> plus our <c>task_id, session_id, status, exit_code, timed_out, truncated,
/// oom_killed, completed_at, error</c>. While it runs, the output so far.
/// </summary>
/// <param name="Status"><c>queued</c>, <c>running</c>, <c>completed</c> or <c>failed</c>.</param>
/// <param name="ExitCode">Null until the code exited (and for a failed execution).</param>
/// <param name="Error">Why a failed execution failed; null otherwise.</param>
internal sealed record ExecutionResponse(
    string TaskId,
    string SessionId,
    string Status,
    bool IsComplete,
    string SerializedStdout,
    string SerializedStderr,
    int? ExitCode,
    bool TimedOut,
    bool Truncated,
    bool OomKilled,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double ExecutionTime,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double CpuTime,
    string CreatedAt,
    string? CompletedAt,
    string? Error);
