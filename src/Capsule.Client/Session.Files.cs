using System.Buffers;
using System.Net.Http.Headers;
using Capsule.Client.Http;
using Capsule.Client.Wire;

namespace Capsule.Client;

public sealed partial class Session
{
    /// <summary>
    /// Writes <paramref name="content"/> (read to its end, streamed) to a guest path, creating missing parent folders.
    /// <paramref name="remotePath"/> must name the file: a stream has no name to put into a folder.
    /// </summary>
    /// <param name="content">The bytes to write; read from its current position, not disposed.</param>
    /// <param name="remotePath">Absolute guest path, e.g. <c>/app/data.csv</c>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <exception cref="CapsuleApiException">400: the path is relative or a directory.</exception>
    public Task<UploadResult> UploadAsync(Stream content, string remotePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        return UploadAsync(() => new NonDisposingStream(content), Path.GetFileName(remotePath), remotePath, cancellationToken);
    }

    /// <summary>Uploads a local file to a guest path, streamed, creating missing parent folders.</summary>
    /// <param name="localPath">The file to send.</param>
    /// <param name="remotePath">Absolute guest path; one ending in <c>/</c> receives the file under its local name.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<UploadResult> UploadFileAsync(string localPath, string remotePath, CancellationToken cancellationToken = default)
    {
        var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using (file.ConfigureAwait(false))
            return await UploadAsync(() => new NonDisposingStream(file), Path.GetFileName(localPath), remotePath, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies a guest file into <paramref name="destination"/> as it arrives (never held whole in memory).</summary>
    /// <param name="remotePath">Absolute guest path.</param>
    /// <param name="destination">Where the bytes go; not disposed.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>Bytes copied.</returns>
    /// <exception cref="NotFoundException">No such guest file.</exception>
    /// <exception cref="SessionNotFoundException">The session does not exist for this key.</exception>
    public async Task<long> DownloadAsync(string remotePath, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(remotePath);
        var form = new Dictionary<string, string> { ["filename"] = remotePath, ["session_id"] = Id };
        var call = new ApiCall(HttpMethod.Post, "download")
        {
            SessionId = Id,
            NotFoundMayBeFile = true,
            Idempotent = true,
            Accept = "application/octet-stream",
            Content = () => new FormUrlEncodedContent(form),
        };
        using var response = await Transport.SendAsync(call, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = body.ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long copied = 0;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    throw new CapsuleConnectionException(
                        $"The download of {remotePath} broke off after {copied} bytes: {exception.Message}", exception);
                }
                if (read == 0)
                    return copied;
                // Errors writing the destination (a full disk) are the caller's, not the connection's: they pass as they are.
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                copied += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Downloads a guest file to a local path. The file appears only when complete (written next to it under a
    /// temporary name, then renamed); an existing file is replaced.
    /// </summary>
    /// <param name="remotePath">Absolute guest path.</param>
    /// <param name="localPath">Where to save it.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>Bytes written.</returns>
    public async Task<long> DownloadFileAsync(string remotePath, string localPath, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(localPath);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N")[..8] + ".part");
        try
        {
            long size;
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            await using (file.ConfigureAwait(false))
                size = await DownloadAsync(remotePath, file, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, fullPath, overwrite: true);
            return size;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task<UploadResult> UploadAsync(Func<Stream> open, string fileName, string remotePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(remotePath);
        var call = new ApiCall(HttpMethod.Post, "upload")
        {
            SessionId = Id,
            Content = () =>
            {
                var file = new StreamContent(open());
                file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                // The fields go first: a server that knows where the file goes can stream it straight into the guest.
                var form = new MultipartFormDataContent
                {
                    { new StringContent(remotePath), "remote_path" },
                    { new StringContent(Id), "session_id" },
                    { new StringContent("true"), "recursive" },
                };
                if (string.IsNullOrEmpty(fileName))
                    form.Add(file, "file");
                else
                    form.Add(file, "file", fileName);
                return form;
            },
        };
        var reply = await Transport.SendJsonAsync(call, ClientJsonContext.Default.UploadReply, cancellationToken).ConfigureAwait(false);
        return reply.ToUpload(remotePath);
    }
}
