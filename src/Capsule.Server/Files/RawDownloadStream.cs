using Microsoft.Net.Http.Headers;

namespace Capsule.Server.Files;

/// <summary>A download as the raw bytes (<c>Accept: application/octet-stream</c>).</summary>
internal sealed class RawDownloadStream(HttpResponse response, string fileName) : DownloadStream(response)
{
    protected override Task StartAsync(CancellationToken cancellationToken)
    {
        Response.StatusCode = StatusCodes.Status200OK;
        Response.ContentType = "application/octet-stream";
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName(fileName);
        Response.Headers.ContentDisposition = disposition.ToString();
        return Task.CompletedTask;
    }

    protected override ValueTask WriteContentAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        Response.Body.WriteAsync(content, cancellationToken);

    protected override Task FinishAsync(long size, CancellationToken cancellationToken) => Task.CompletedTask;
}
