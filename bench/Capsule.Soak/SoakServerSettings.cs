using System.Globalization;

namespace Capsule.Soak;

/// <summary>
/// The server's environment for a soak: its defaults, except the limits that N concurrent sessions of one key would
/// hit by design (src/Capsule.Vm/VmOptions.cs, src/Capsule.Server/RateLimiting/RateLimitOptions.cs). A refusal the
/// soak provokes on purpose would say nothing about reliability. <c>--server-setting</c> overrides any of them.
/// </summary>
internal static class SoakServerSettings
{
    /// <summary>Spare machine slots on top of one per worker and the warm pool (kills and pool refills overlap).</summary>
    private const int SpareMachines = 16;

    public static IReadOnlyDictionary<string, string> For(SoakOptions options, double hostMemTotalMib)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // Default 16: one machine per worker, plus the pool (default 2) and machines being torn down.
            ["Capsule__Vm__MaxMachines"] = Invariant(options.Sessions + SpareMachines),
            // Pool the shape the workers ask for, so a create after a kill is a hand-over as in normal use.
            ["Capsule__Vm__WarmPoolVcpus"] = Invariant(options.Vcpus),
            // Default 50/s, burst 100 per key; every worker uses the admin key. Raised, not off, so the limiter still runs.
            ["Capsule__RateLimit__RequestsPerSecond"] = Invariant(Math.Max(1000, options.Sessions * 20)),
            ["Capsule__RateLimit__Burst"] = Invariant(Math.Max(2000, options.Sessions * 40)),
            // Default 20 VMs and 100 unfinished background executions per key: one VM per worker (plus kills in flight),
            // at most one async execution per worker.
            ["Capsule__RateLimit__MaxRunningSessionsPerKey"] = Invariant(options.Sessions + SpareMachines),
            ["Capsule__RateLimit__MaxPendingExecutionsPerKey"] = Invariant(Math.Max(100, options.Sessions * 2)),
        };
        // Committed memory may reach MemoryOvercommitRatio (default 2) x MemTotal; raise it only if the soak needs more.
        var committedMib = (double)(options.Sessions + SpareMachines) * options.MemoryMb;
        if (committedMib > 2.0 * hostMemTotalMib)
            settings["Capsule__Vm__MemoryOvercommitRatio"] = Math.Ceiling(committedMib / hostMemTotalMib + 1).ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in options.ServerSettings)
            settings[key] = value;
        return settings;
    }

    /// <summary>
    /// <paramref name="settings"/> with guests on <paramref name="internet"/>: its DNS as the upstream, its range opened,
    /// and a default policy of alpha.test only (the network step checks it is reached and beta.test is not).
    /// </summary>
    public static IReadOnlyDictionary<string, string> WithInternet(IReadOnlyDictionary<string, string> settings, TestInternet internet)
    {
        var withInternet = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Capsule__Network__UpstreamDns__0"] = internet.DnsAddress,
            ["Capsule__Network__AllowedPrivateCidrs__0"] = internet.Range,
            ["Capsule__Network__DefaultEgress__AllowPackageManagers"] = "false",
            ["Capsule__Network__DefaultEgress__AllowedDomains__0"] = "alpha.test",
        };
        foreach (var (key, value) in settings)
            withInternet[key] = value;
        return withInternet;
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
