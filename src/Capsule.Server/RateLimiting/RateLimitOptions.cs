namespace Capsule.Server.RateLimiting;

/// <summary>
/// Per-API-key limits: a request budget (a token bucket) and caps on what a key holds at once. Bound from
/// "Capsule:RateLimit"; every limit is refused with 429.
/// </summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = "Capsule:RateLimit";

    /// <summary>Sustained requests per second per key; 0 turns rate limiting off.</summary>
    public double RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a key may make at once after being idle (the bucket's size).</summary>
    public int Burst { get; set; } = 100;

    /// <summary>Sessions with a VM (spawning or running) one key may hold at once.</summary>
    public int MaxRunningSessionsPerKey { get; set; } = 20;

    /// <summary>Background executions (<c>/execute_async</c>, queued or running) one key may have unfinished at once.</summary>
    public int MaxPendingExecutionsPerKey { get; set; } = 100;
}
