namespace Capsule.Server.Metrics;

/// <summary><c>GET /metrics</c> (docs/metrics.md). Bound from "Capsule:Metrics".</summary>
internal sealed class MetricsOptions
{
    public const string SectionName = "Capsule:Metrics";

    /// <summary>False: no <c>/metrics</c> route and no exporter (the instruments still exist; nothing listens to them).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>True: a scrape needs an admin API key (401 without a valid key, 403 with a non-admin one). False: open to anyone who can reach the port.</summary>
    public bool RequireAdmin { get; set; } = true;
}
