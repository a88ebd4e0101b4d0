namespace Capsule.Server.RateLimiting;

/// <summary>Per-API-key request budget: a token bucket. Bound from "Capsule:RateLimit".</summary>
internal sealed class RateLimitOptions
{
    public const string SectionName = "Capsule:RateLimit";

    /// <summary>Sustained requests per second per key; 0 turns rate limiting off.</summary>
    public double RequestsPerSecond { get; set; } = 50;

    /// <summary>Requests a key may make at once after being idle (the bucket's size).</summary>
    public int Burst { get; set; } = 100;
}
