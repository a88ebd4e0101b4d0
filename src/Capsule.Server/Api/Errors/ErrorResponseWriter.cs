using System.Text.Encodings.Web;
using System.Text.Json;
using Capsule.Server.Api.Validation;

namespace Capsule.Server.Api.Errors;

/// <summary>Writes FastAPI-style error bodies: <c>{"detail": "..."}</c> or <c>{"detail": [ ... ]}</c>.</summary>
internal static class ErrorResponseWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteDetailAsync(HttpResponse response, int status, string detail, CancellationToken cancellationToken)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("detail", detail);
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    public static async Task WriteValidationAsync(
        HttpResponse response, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken)
    {
        response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.Body, WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("detail");
        foreach (var error in errors)
            WriteError(writer, error);
        writer.WriteEndArray();
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    private static void WriteError(Utf8JsonWriter writer, ValidationError error)
    {
        writer.WriteStartObject();
        writer.WriteString("type", error.Type);
        writer.WriteStartArray("loc");
        foreach (var part in error.Loc)
        {
            switch (part)
            {
                case int index:
                    writer.WriteNumberValue(index);
                    break;
                case string name:
                    writer.WriteStringValue(name);
                    break;
                default:
                    throw new InvalidOperationException($"A loc part must be a string or an int, not {part.GetType()}");
            }
        }
        writer.WriteEndArray();
        writer.WriteString("msg", error.Msg);
        writer.WritePropertyName("input");
        if (error.Input is { } input)
            input.WriteTo(writer);
        else
            writer.WriteNullValue();
        if (error.Ctx is { } ctx)
        {
            writer.WritePropertyName("ctx");
            ctx.WriteTo(writer);
        }
        writer.WriteEndObject();
    }
}
