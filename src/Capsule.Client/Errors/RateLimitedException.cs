using System.Net;

namespace Capsule.Client;

/// <summary>The server is rate limiting this key (429). Never retried by the client: wait <see cref="RetryAfter"/>.</summary>
public sealed class RateLimitedException : CapsuleApiException
{
    internal RateLimitedException(string detail, TimeSpan? retryAfter)
        : base(HttpStatusCode.TooManyRequests, detail)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the server asked to wait (its <c>Retry-After</c> header), when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
