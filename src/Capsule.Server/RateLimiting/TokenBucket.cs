namespace Capsule.Server.RateLimiting;

/// <summary>
/// One key's budget: holds up to <c>burst</c> tokens, refills at <c>rate</c> per second, each request takes one.
/// Timestamps come from the caller's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class TokenBucket(double rate, int burst, long timestamp)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private long _refilledAt = timestamp;

    /// <summary>Takes a token; when none is left, returns false and how long until one is.</summary>
    public bool TryTake(TimeProvider time, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var elapsed = time.GetElapsedTime(_refilledAt, now);
            _tokens = Math.Min(burst, _tokens + elapsed.TotalSeconds * rate);
            _refilledAt = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / rate);
            return false;
        }
    }
}
