using System.Net.Http.Headers;
using System.Text;

namespace Capsule.Server.Tests.Infrastructure;

/// <summary>A server-sent event stream read event by event, as it arrives (every read bounded).</summary>
internal sealed class EventStream : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Posts to the stream endpoint and returns once the headers are in (the body is read lazily).</summary>
    public static async Task<EventStream> OpenAsync(HttpClient client, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/execute/stream")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).WaitAsync(Bound, cancellationToken);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).WaitAsync(Bound, cancellationToken);
        return new EventStream(response, stream);
    }

    /// <summary>The next event (name and parsed data), or null at the end of the stream.</summary>
    public async Task<(string Name, JsonNode Data)?> NextAsync(CancellationToken cancellationToken)
    {
        string? name = null;
        string? data = null;
        while (await _reader.ReadLineAsync(cancellationToken).AsTask().WaitAsync(Bound, cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                    return (name, JsonNode.Parse(data ?? "null")!);
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal))
                name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                data = line["data: ".Length..];
            else
                Assert.Fail($"Unexpected line in the event stream: {line}");
        }
        Assert.Null(name);
        return null;
    }

    /// <summary>Every remaining event.</summary>
    public async Task<List<(string Name, JsonNode Data)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var events = new List<(string, JsonNode)>();
        while (await NextAsync(cancellationToken) is { } next)
            events.Add(next);
        return events;
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
