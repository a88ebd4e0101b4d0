using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary>
/// <c>POST /execute</c>: InstaVM's <c>stdout, stderr, execution_time, cpu_time</c> (seconds, floats) plus our
/// extensions <c>exit_code</c> and <c>timed_out</c>.
/// </summary>
internal sealed record ExecuteResponse(
    string Stdout,
    string Stderr,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double ExecutionTime,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double CpuTime,
    int ExitCode,
    bool TimedOut);
