using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Capsule.Server.Api.Streaming;

/// <summary>
/// Writes a <c>text/event-stream</c> response: <c>event: &lt;name&gt;</c>, one <c>data:</c> line of JSON (JSON never
/// contains a raw newline), a blank line; flushed after each event so the client sees it at once.
/// </summary>
internal sealed class ServerSentEvents(HttpResponse response)
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise hold the events back.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(cancellationToken);
    }

    public async Task WriteAsync<T>(string eventName, T data, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(data, typeInfo);
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: {eventName}\ndata: {json}\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
