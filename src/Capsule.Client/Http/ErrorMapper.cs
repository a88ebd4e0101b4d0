using System.Net;
using System.Text.Json;
using Capsule.Client.Wire;

namespace Capsule.Client.Http;

/// <summary>Turns an error answer into the typed exception for its status, carrying the server's <c>detail</c>.</summary>
internal static class ErrorMapper
{
    public const string SessionNotFoundDetail = "Session not found";
    private const int MaxBodyChars = 4096;

    public static async Task<CapsuleApiException> ToExceptionAsync(
        HttpResponseMessage response, ApiCall call, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var status = response.StatusCode;
        var (detail, errors) = ParseDetail(body, response.ReasonPhrase ?? status.ToString());

        return status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new AuthenticationException(status, detail),
            HttpStatusCode.NotFound when call.SessionId is { } sessionId
                && (!call.NotFoundMayBeFile || detail == SessionNotFoundDetail) => new SessionNotFoundException(sessionId, detail),
            HttpStatusCode.NotFound => new NotFoundException(detail),
            HttpStatusCode.UnprocessableEntity => new ValidationException(errors ?? [Problem(detail)]),
            HttpStatusCode.TooManyRequests => new RateLimitedException(detail, RetryAfter(response)),
            _ => new CapsuleApiException(status, detail),
        };
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>
    /// <c>{"detail": "..."}</c> gives the message; <c>{"detail": [...]}</c> (422) gives the problems too.
    /// Anything else (a proxy's HTML page) gives its text, shortened, or the reason phrase.
    /// </summary>
    private static (string Detail, List<ValidationError>? Errors) ParseDetail(string body, string fallback)
    {
        ErrorBody? parsed = null;
        try
        {
            parsed = JsonSerializer.Deserialize(body, ClientJsonContext.Default.ErrorBody);
        }
        catch (JsonException)
        {
        }

        switch (parsed?.Detail)
        {
            case { ValueKind: JsonValueKind.String } text:
                return (text.GetString()!, null);
            case { ValueKind: JsonValueKind.Array } list:
                var errors = list.EnumerateArray().Select(ToError).ToList();
                return (string.Join("; ", errors.Select(e => e.Message)), errors);
            default:
                var trimmed = body.Trim();
                return (trimmed.Length == 0 ? fallback : trimmed.Length > MaxBodyChars ? trimmed[..MaxBodyChars] + "..." : trimmed, null);
        }
    }

    private static ValidationError ToError(JsonElement item) => new()
    {
        Type = String(item, "type") ?? "",
        Location = item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array
            ? [.. loc.EnumerateArray().Select(part => part.ValueKind == JsonValueKind.String
                ? part.GetString()!
                : part.GetRawText())]
            : [],
        Message = String(item, "msg") ?? item.GetRawText(),
        Input = item.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null
            ? input.ValueKind == JsonValueKind.String ? input.GetString() : input.GetRawText()
            : null,
    };

    private static ValidationError Problem(string detail) =>
        new() { Type = "value_error", Location = [], Message = detail };

    private static string? String(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString()
            : null;
}
