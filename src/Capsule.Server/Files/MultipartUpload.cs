using System.Text;
using Capsule.Server.Api.Errors;
using Capsule.Server.Api.Validation;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Capsule.Server.Files;

/// <summary>
/// Reads a <c>multipart/form-data</c> upload section by section, straight from the request body (form buffering never
/// happens: nothing calls <c>ReadFormAsync</c>). Text fields are collected; the one <c>file</c> part is handed to
/// <c>onFile</c>, which streams it to its destination while the request is still arriving.
/// </summary>
internal static class MultipartUpload
{
    /// <summary>Largest text field accepted (paths, ids, keys are short).</summary>
    public const int MaxFieldBytes = 64 * 1024;

    /// <summary>The part names of a file: <c>file</c>, or any part that carries a file name.</summary>
    public const string FilePartName = "file";

    /// <summary>The boundary of a multipart/form-data request; null when the request is not one.</summary>
    public static string? BoundaryOf(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        return string.IsNullOrEmpty(boundary) ? null : boundary;
    }

    /// <summary>
    /// Reads every section. <paramref name="onFile"/> gets the first file part's stream and file name, with the fields
    /// read so far; it must consume the stream (or leave it: the rest of the part is skipped). Later file parts are ignored.
    /// </summary>
    /// <returns>The text fields, and whether a file part came.</returns>
    public static async Task<(Dictionary<string, string> Fields, bool HasFile)> ReadAsync(
        HttpRequest request, string boundary,
        Func<Stream, string?, IReadOnlyDictionary<string, string>, Task> onFile, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, request.Body);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasFile = false;
        while (await NextSectionAsync(reader, cancellationToken) is { } section)
        {
            // Reads of a section fail on broken framing (e.g. no closing boundary): the client's error, a 400.
            section.Body = new RequestBodyStream(section.Body);
            // IsFormDisposition() is false for file parts, so test the type itself.
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (name == FilePartName || disposition.IsFileDisposition())
            {
                if (hasFile)
                    continue;
                hasFile = true;
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                await onFile(section.Body, fileName, fields);
                continue;
            }
            var value = await ReadFieldAsync(section.Body, name, cancellationToken);
            fields.TryAdd(name, value);
        }
        return (fields, hasFile);
    }

    private static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && ex is not BadHttpRequestException
            && !cancellationToken.IsCancellationRequested)
        {
            throw RequestBodyStream.Malformed(ex);
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, string name, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxFieldBytes)
                throw new CapsuleException(ErrorCode.InvalidArgument, $"Form field '{name}' is larger than {MaxFieldBytes / 1024} KiB");
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
