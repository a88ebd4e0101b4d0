using System.Net;

namespace Capsule.Client;

/// <summary>
/// The server refused a call or could not be reached. Subclasses name the cases a caller usually handles:
/// <see cref="AuthenticationException"/>, <see cref="NotFoundException"/>, <see cref="RateLimitedException"/>,
/// <see cref="ValidationException"/> and <see cref="CapsuleConnectionException"/>.
/// </summary>
/// <remarks>
/// A failed program is not an exception: its exit code, output and timeout are data in
/// <see cref="ExecutionResult"/>. Cancelling a call's token throws <see cref="OperationCanceledException"/>, never this.
/// </remarks>
public class CapsuleApiException : Exception
{
    internal CapsuleApiException(HttpStatusCode? statusCode, string detail, Exception? innerException = null)
        : base(statusCode is { } status ? $"{(int)status} {status}: {detail}" : detail, innerException)
    {
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>
    /// The HTTP status the server answered with; null when there was no error status to report
    /// (the server could not be reached, or a streamed execution reported an error after it had started).
    /// </summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The server's <c>detail</c> message (for a 422, the messages of every problem joined).</summary>
    public string Detail { get; }
}
