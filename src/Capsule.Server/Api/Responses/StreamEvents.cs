using System.Text.Json.Serialization;

namespace Capsule.Server.Api.Responses;

/// <summary>The data of an <c>event: stdout</c> or <c>event: stderr</c> of <c>POST /v1/execute/stream</c>.</summary>
internal sealed record StreamTextEvent(string Text);

/// <summary>The data of the final <c>event: exit</c> of <c>POST /v1/execute/stream</c>.</summary>
internal sealed record StreamExitEvent(
    int ExitCode,
    bool TimedOut,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double ExecutionTime,
    [property: JsonConverter(typeof(SecondsJsonConverter))] double CpuTime,
    bool Truncated,
    bool OomKilled);

/// <summary>
/// <c>{"detail": "..."}</c>: the body of every error but 422, and the data of <c>event: error</c>. Errors are written by
/// <c>ErrorResponseWriter</c>; this type describes them (OpenAPI) and serialises the stream's error event.
/// </summary>
internal sealed record ErrorDetail(string Detail);
