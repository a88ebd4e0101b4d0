namespace Capsule.Server.Metrics;

/// <summary>Why a request was refused, as <c>capsule_refusals_total</c> counts it: a closed set, so its label stays bounded.</summary>
internal enum RefusalReason
{
    /// <summary>The host had no room for the VM (503).</summary>
    Capacity,
    /// <summary>The key's request rate was over its limit (429).</summary>
    RateLimit,
    /// <summary>The key already held its cap of running sessions or unfinished background executions (429).</summary>
    Caps,
}
