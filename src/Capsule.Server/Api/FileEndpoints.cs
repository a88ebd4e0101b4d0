using Capsule.Server.Api.Errors;
using Capsule.Server.Api.OpenApi;
using Capsule.Server.Api.Responses;
using Capsule.Server.Api.Validation;
using Capsule.Server.Auth;
using Capsule.Server.Files;
using Capsule.Server.Hosting;
using Capsule.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Api;

/// <summary>
/// InstaVM's <c>POST /upload</c> and <c>POST /download</c>. Both stream: an upload goes from the request body to the
/// guest as it arrives, a download from the guest to the response; neither holds a file in memory.
/// </summary>
internal static class FileEndpoints
{
    public static IEndpointRouteBuilder MapFileApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/upload", UploadAsync)
            .WithTags("Files")
            .WithSummary("Upload a file into the session's VM (spawns the VM if none)")
            .WithDescription("multipart/form-data. recursive=true creates missing parent folders; otherwise the folder must exist. " +
                "A remote_path ending in '/' receives the file under its own name.")
            .AcceptsForm<UploadFormSchema>("multipart/form-data")
            .ProducesErrors(400, 404, 409, 413, 503);
        app.MapPost("/download", DownloadAsync)
            .WithTags("Files")
            .WithSummary("Download a file from the session's VM: JSON with base64 content, or raw bytes")
            .WithDescription("Send Accept: application/octet-stream for the raw bytes; otherwise the answer is JSON.")
            .AcceptsForm<DownloadFormSchema>("application/x-www-form-urlencoded")
            .ProducesDownload()
            .ProducesErrors(400, 404, 409, 503);
        return app;
    }

    private static async Task<JsonHttpResult<UploadResponse>> UploadAsync(
        HttpContext context, ApiKeyAuthenticator auth, SessionRegistry registry, IOptions<FileTransferOptions> options,
        CapsulePaths paths, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var maxUpload = options.Value.MaxUploadBytes;
        BodyLimit.Apply(request, maxUpload, () => new CapsuleException(ErrorCode.PayloadTooLarge,
            $"The upload is larger than this server's limit of {BodyLimit.Describe(maxUpload)}"));
        if (MultipartUpload.BoundaryOf(request) is not { } boundary)
        {
            UploadForm.Parse(new Dictionary<string, string>(), hasFile: false);
            throw new InvalidOperationException("An empty form never validates");
        }

        string? writtenTo = null;
        long size = 0;
        UploadSpool? spool = null;
        string? fileName = null;
        try
        {
            var (fields, hasFile) = await MultipartUpload.ReadAsync(request, boundary, async (content, name, fieldsSoFar) =>
            {
                fileName = name;
                if (fieldsSoFar.ContainsKey("remote_path") && fieldsSoFar.ContainsKey("session_id")
                    && (auth.HasRequestCredential(request) || fieldsSoFar.ContainsKey("api_key")))
                {
                    // Everything needed is known: stream the part straight into the guest.
                    (writtenTo, size) = await WriteAsync(request, auth, registry, UploadForm.Parse(fieldsSoFar, hasFile: true),
                        content, name, cancellationToken);
                }
                else
                {
                    spool = await UploadSpool.WriteAsync(paths.UploadDirectory, content, cancellationToken);
                }
            }, cancellationToken);

            if (writtenTo is null)
            {
                var form = UploadForm.Parse(fields, hasFile);
                (writtenTo, size) = await WriteAsync(request, auth, registry, form, spool!.Content, fileName, cancellationToken);
            }
        }
        finally
        {
            if (spool is not null)
                await spool.DisposeAsync();
        }
        return TypedResults.Json(new UploadResponse("success", writtenTo, size), CapsuleJsonContext.Wire.UploadResponse);
    }

    private static async Task<(string Path, long Size)> WriteAsync(
        HttpRequest request, ApiKeyAuthenticator auth, SessionRegistry registry, UploadForm form, Stream content, string? fileName,
        CancellationToken cancellationToken)
    {
        var caller = await auth.AuthenticateAsync(request, form.ApiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(form.SessionId, caller, cancellationToken);
        var path = GuestPath.ForUpload(form.RemotePath, fileName);
        var size = await actor.WriteFileAsync(path, content, createParents: form.Recursive, cancellationToken);
        return (path, size);
    }

    /// <summary>
    /// Streams the file into the response. A refusal before the first byte (missing file, a directory) gets its status;
    /// a failure after it can only abort the response, which the client sees as a broken transfer.
    /// </summary>
    private static async Task<EmptyHttpResult> DownloadAsync(
        HttpContext context, ApiKeyAuthenticator auth, SessionRegistry registry, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var form = await FormBody.ReadAsync(request, cancellationToken);
        var filename = form.RequiredString("filename");
        var sessionId = form.RequiredString("session_id");
        var apiKey = form.OptionalString("api_key");
        form.ThrowIfInvalid();
        var caller = await auth.AuthenticateAsync(request, apiKey, cancellationToken);
        var actor = await registry.FindOwnedAsync(sessionId!, caller, cancellationToken);
        var path = GuestPath.ForDownload(filename!);

        var name = Path.GetFileName(path.TrimEnd('/'));
        DownloadStream destination = WantsRawBytes(request)
            ? new RawDownloadStream(context.Response, name)
            : new Base64JsonDownloadStream(context.Response, path);
        await using (destination)
        {
            var size = await actor.ReadFileAsync(path, destination, cancellationToken);
            await destination.CompleteAsync(size, cancellationToken);
        }
        return TypedResults.Empty;
    }

    /// <summary>Raw bytes only when the client asks for them and does not also accept JSON.</summary>
    private static bool WantsRawBytes(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0)
            && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);
    }
}
