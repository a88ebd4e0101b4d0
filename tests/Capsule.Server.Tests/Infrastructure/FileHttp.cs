using System.Net.Http.Headers;
using System.Text;

namespace Capsule.Server.Tests.Infrastructure;

/// <summary>Upload and download requests as InstaVM's SDK sends them (every call bounded).</summary>
internal static class FileHttp
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    /// <summary>A multipart form like the SDK's: text fields first, then the file part (or the other way round).</summary>
    public static MultipartFormDataContent UploadForm(
        HttpContent file, string? fileName, IEnumerable<(string Name, string Value)> fields, bool fileFirst = false)
    {
        var form = new MultipartFormDataContent();
        if (fileFirst)
            AddFile(form, file, fileName);
        foreach (var (name, value) in fields)
            form.Add(new StringContent(value), name);
        if (!fileFirst)
            AddFile(form, file, fileName);
        return form;
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> UploadAsync(
        this HttpClient client, HttpContent form, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsync(new Uri("/upload", UriKind.Relative), form, cancellationToken).WaitAsync(Bound, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Uploads <paramref name="bytes"/> to <paramref name="remotePath"/> (fields first, as the SDK sends them).</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> UploadBytesAsync(
        this HttpClient client, string sessionId, string remotePath, byte[] bytes, CancellationToken cancellationToken,
        bool recursive = false, string fileName = "local.bin")
    {
        using var form = UploadForm(new ByteArrayContent(bytes), fileName,
            [("remote_path", remotePath), ("session_id", sessionId), ("recursive", recursive ? "true" : "false")]);
        return await client.UploadAsync(form, cancellationToken);
    }

    public static HttpRequestMessage DownloadRequest(string sessionId, string filename, bool raw = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/download")
        {
            Content = new FormUrlEncodedContent([new("filename", filename), new("session_id", sessionId)]),
        };
        if (raw)
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/octet-stream"));
        return request;
    }

    /// <summary>Downloads as JSON (the default answer).</summary>
    public static async Task<(HttpStatusCode Status, JsonNode? Body)> DownloadJsonAsync(
        this HttpClient client, string sessionId, string filename, CancellationToken cancellationToken)
    {
        using var request = DownloadRequest(sessionId, filename);
        using var response = await client.SendAsync(request, cancellationToken).WaitAsync(Bound, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Downloads the raw bytes (<c>Accept: application/octet-stream</c>).</summary>
    public static async Task<(HttpStatusCode Status, byte[] Bytes, string? ContentType)> DownloadRawAsync(
        this HttpClient client, string sessionId, string filename, CancellationToken cancellationToken)
    {
        using var request = DownloadRequest(sessionId, filename, raw: true);
        using var response = await client.SendAsync(request, cancellationToken).WaitAsync(Bound, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).WaitAsync(Bound, cancellationToken);
        return (response.StatusCode, bytes, response.Content.Headers.ContentType?.MediaType);
    }

    private static void AddFile(MultipartFormDataContent form, HttpContent file, string? fileName)
    {
        if (fileName is null)
            form.Add(file, "file");
        else
            form.Add(file, "file", fileName);
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
