using System.Net.Http.Headers;
using System.Text;

namespace Capsule.Server.Tests.Fuzz;

/// <summary>
/// One generated request, kept as plain data so a failure can print exactly what was sent (and a seed can replay it).
/// </summary>
/// <param name="Endpoint">Which endpoint generator made it (for the spread check).</param>
/// <param name="Method">The HTTP method; may be one the route does not take.</param>
/// <param name="Path">Path and query, already escaped as it goes on the wire.</param>
/// <param name="Body">The body bytes; null for none.</param>
/// <param name="ContentType">The Content-Type header, sent as is (may be wrong or malformed); null for none.</param>
/// <param name="Headers">Other headers, sent without validation (keys, Accept).</param>
/// <param name="Chunked">Send the body without a Content-Length.</param>
internal sealed record FuzzRequest(
    string Endpoint, string Method, string Path, byte[]? Body, string? ContentType,
    IReadOnlyList<(string Name, string Value)> Headers, bool Chunked = false)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(Path, UriKind.Relative));
        if (Body is not null)
        {
            message.Content = Chunked ? new StreamContent(new ChunkedOnly(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null)
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }
        foreach (var (name, value) in Headers)
            message.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    /// <summary>What to print when this request broke the server: everything but the bulk of a huge body.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Path.Length > 600 ? Path[..600] + $"...({Path.Length} chars)" : Path).AppendLine();
        if (ContentType is not null)
            text.Append("Content-Type: ").AppendLine(ContentType);
        foreach (var (name, value) in Headers)
            text.Append(name).Append(": ").AppendLine(value.Length > 200 ? value[..200] + "..." : value);
        if (Chunked)
            text.AppendLine("(chunked)");
        if (Body is not null)
        {
            var shown = Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 2000));
            text.AppendLine().Append(shown);
            if (Body.Length > 2000)
                text.Append($"...({Body.Length} bytes)");
        }
        return text.ToString();
    }

    /// <summary>A body stream whose length is unknown to HttpClient, so it goes without Content-Length.</summary>
    private sealed class ChunkedOnly(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}

/// <summary>Builds requests with the key where the generator put it.</summary>
internal static class FuzzHeaders
{
    public static readonly IReadOnlyList<(string, string)> None = [];

    public static IReadOnlyList<(string, string)> XApiKey(string key) => [("X-API-Key", key)];

    public static IReadOnlyList<(string, string)> Bearer(string key) => [("Authorization", new AuthenticationHeaderValue("Bearer", key).ToString())];
}
