using Capsule.Server.Egress;
using Capsule.Vm;

namespace Capsule.Server.Sessions;

/// <summary>The one translation of a session's <see cref="EgressPolicy"/> into the VM layer's <see cref="EgressRules"/>.</summary>
internal static class EgressTranslation
{
    /// <summary>
    /// The rules the VM layer enforces for <paramref name="policy"/>: package managers become their host names
    /// (<paramref name="packageManagerHosts"/>); IPv6 CIDRs have no effect (guests have no IPv6).
    /// </summary>
    public static EgressRules RulesFor(EgressPolicy policy, IReadOnlyList<string> packageManagerHosts) => policy.IsDenyAll
        ? EgressRules.DenyAll
        : new EgressRules
        {
            AnyHttp = policy.AllowHttp,
            AnyHttps = policy.AllowHttps,
            Domains = [.. policy.AllowedDomains.Concat(policy.AllowPackageManagers ? packageManagerHosts : []).Distinct()],
            Cidrs = [.. policy.AllowedCidrs.Select(System.Net.IPNetwork.Parse)
                .Where(n => n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)],
        };

    /// <summary>The rules in force for <paramref name="sessionId"/>: its stored policy or the server's default.</summary>
    public static async Task<EgressRules> RulesForAsync(this SessionEgress egress, Guid sessionId, CancellationToken cancellationToken) =>
        RulesFor(await egress.PolicyForAsync(sessionId, cancellationToken), egress.Defaults.PackageManagerHosts);
}
