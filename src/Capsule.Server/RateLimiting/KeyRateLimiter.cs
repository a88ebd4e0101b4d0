using System.Collections.Concurrent;
using Capsule.Server.Api.Errors;
using Capsule.Server.Metrics;
using Microsoft.Extensions.Options;

namespace Capsule.Server.RateLimiting;

/// <summary>
/// Refuses a key's request with 429 (<c>{"detail":"Rate limit exceeded"}</c> and <c>Retry-After</c>) once its token
/// bucket is empty. Called once per authenticated request; requests without a key (health, docs, usage by session id)
/// are not counted.
/// </summary>
internal sealed partial class KeyRateLimiter(
    IOptions<RateLimitOptions> options, TimeProvider time, CapsuleMetrics metrics, ILogger<KeyRateLimiter> logger)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);
    private readonly RateLimitOptions _options = options.Value;

    public void Acquire(string keyId)
    {
        if (_options.RequestsPerSecond == 0)
            return;
        var bucket = _buckets.GetOrAdd(keyId, _ => new TokenBucket(_options.RequestsPerSecond, _options.Burst, time.GetTimestamp()));
        if (bucket.TryTake(time, out var retryAfter))
            return;
        LogLimited(logger, keyId);
        metrics.Refused(RefusalReason.RateLimit);
        throw new CapsuleException(ErrorCode.RateLimited, "Rate limit exceeded") { RetryAfter = retryAfter };
    }

    [LoggerMessage(EventId = 230, Level = LogLevel.Information, Message = "API key {KeyId} is over its rate limit")]
    private static partial void LogLimited(ILogger logger, string keyId);
}
