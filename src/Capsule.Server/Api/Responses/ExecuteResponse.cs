using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// <c>POST /execute</c>: InstaVM's <c>stdout, stderr, execution_time, cpu_time</c> (seconds, floats) plus our
/// extensions <c>exit_code</c>, <c>timed_out</c>, <c>truncated</c> and <c>oom_killed</c>.
/// </summary>
/// <param name="Truncated">Output beyond the per-call cap (10 MiB per stream) was dropped.</param>
/// <param name="OomKilled">The guest's OOM killer killed a process of this execution (python state is then lost).</param>
internal sealed record ExecuteResponse(
    string Stdout,
    string Stderr,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double ExecutionTime,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double CpuTime,
    int ExitCode,
    bool TimedOut,
    bool Truncated,
    bool OomKilled);
