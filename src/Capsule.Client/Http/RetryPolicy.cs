using System.Net;

namespace Capsule.Client.Http;

/// <summary>Which failures are worth another attempt, and how long to wait before it.</summary>
internal sealed class RetryPolicy(int maxRetries, TimeSpan baseDelay)
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; } = maxRetries;

    /// <summary>Exponential: base, 2×base, 4×base, ...; a server's <c>Retry-After</c> wins when it asks for longer.</summary>
    public TimeSpan DelayBefore(int retry, TimeSpan? retryAfter)
    {
        var backoff = baseDelay * Math.Pow(2, retry);
        var delay = retryAfter is { } asked && asked > backoff ? asked : backoff;
        return delay > MaxDelay ? MaxDelay : delay;
    }

    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    /// <summary>Connection refused or reset, or the server closed the connection before answering.</summary>
    public static bool IsTransient(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded;
}
