using System.Globalization;
using Capsule.Server.Api.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// Puts a size limit on a request body: a declared <c>Content-Length</c> over it is refused (413) before a byte is read;
/// otherwise the body is read through a <see cref="RequestBodyStream"/> that refuses it as soon as it passes the limit
/// (so a chunked body, or a multipart part whose headers lie about its size, cannot go past it), and the server's own
/// body limit is set to the same value.
/// </summary>
internal static class BodyLimit
{
    /// <summary>
    /// The limit of JSON and download-form bodies (<see cref="RequestBodyOptions.MaxJsonBodyBytes"/>), applied to
    /// <paramref name="request"/>; returns it.
    /// </summary>
    public static long ApplyJson(HttpRequest request)
    {
        var max = request.HttpContext.RequestServices.GetRequiredService<IOptions<RequestBodyOptions>>().Value.MaxJsonBodyBytes;
        Apply(request, max, () => TooLarge(max));
        return max;
    }

    /// <summary>Applies <paramref name="maxBytes"/> to <paramref name="request"/>; <paramref name="tooLarge"/> makes the 413.</summary>
    public static void Apply(HttpRequest request, long maxBytes, Func<CapsuleException> tooLarge)
    {
        if (request.ContentLength > maxBytes)
            throw tooLarge();
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = maxBytes;
        request.Body = new RequestBodyStream(request.Body, maxBytes, tooLarge);
    }

    public static CapsuleException TooLarge(long max) =>
        new(ErrorCode.PayloadTooLarge, $"The request body is larger than {Describe(max)}; send files with POST /upload");

    /// <summary>"1 MiB", "1.5 MiB", "4 KiB" or "1000 bytes": a configured size, readably.</summary>
    public static string Describe(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024 / 8) == 0
            ? (bytes / (1024.0 * 1024)).ToString("0.###", CultureInfo.InvariantCulture) + " MiB"
            : bytes % 1024 == 0
                ? (bytes / 1024).ToString(CultureInfo.InvariantCulture) + " KiB"
                : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
}
