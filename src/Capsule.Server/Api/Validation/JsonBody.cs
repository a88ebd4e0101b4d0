using System.Text.Json;
using System.Text.Json.Nodes;
using Capsule.Server.Api.Errors;

namespace Capsule.Server.Api.Validation;

/// <summary>
/// Reads a request body as JSON ourselves (whatever its content type, as FastAPI does), so that malformed
/// JSON, an empty body or a non-object body become FastAPI-style 422s instead of binder exceptions. A body over
/// <see cref="RequestBodyOptions.MaxJsonBodyBytes"/> is a 413 (see <see cref="BodyLimit"/>): refused before reading
/// when its length is declared, and as soon as it passes the limit otherwise, so at most the limit is held in memory.
/// </summary>
internal static class JsonBody
{
    public static Task<JsonDocument> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, emptyIsObject: false, cancellationToken);

    /// <summary>As <see cref="ReadObjectAsync"/>, but an empty body reads as <c>{}</c> (for bodies whose fields are all optional).</summary>
    public static Task<JsonDocument> ReadOptionalObjectAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ReadAsync(request, emptyIsObject: true, cancellationToken);

    private static async Task<JsonDocument> ReadAsync(HttpRequest request, bool emptyIsObject, CancellationToken cancellationToken)
    {
        BodyLimit.ApplyJson(request);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0 && emptyIsObject)
            return JsonDocument.Parse("{}");
        if (buffer.Length == 0)
            throw CapsuleException.Validation(new ValidationError("missing", ["body"], "Field required", Input: null));

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            var position = Offset(bytes.Span, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
            throw CapsuleException.Validation(new ValidationError(
                "json_invalid", ["body", position], "JSON decode error", EmptyObject(),
                new JsonObject { ["error"] = FirstSentence(ex.Message) }));
        }

        if (UnicodeCheck.FindUndecodable(document.RootElement, ["body"]) is { } undecodable)
        {
            document.Dispose();
            throw CapsuleException.Validation(UnicodeCheck.Error(undecodable));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var input = document.RootElement.Clone();
            document.Dispose();
            throw CapsuleException.Validation(new ValidationError(
                "model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from", input));
        }
        return document;
    }

    private static int Offset(ReadOnlySpan<byte> bytes, long line, long positionInLine)
    {
        var offset = 0;
        for (var current = 0L; current < line && offset < bytes.Length; offset++)
        {
            if (bytes[offset] == (byte)'\n')
                current++;
        }
        return (int)Math.Min(bytes.Length, offset + positionInLine);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private static JsonElement EmptyObject()
    {
        using var empty = JsonDocument.Parse("{}");
        return empty.RootElement.Clone();
    }
}
