using Microsoft.Extensions.Options;

namespace Capsule.Server.Egress;

/// <summary>
/// The configured egress defaults, checked once at start (a malformed domain or CIDR stops the server with its name);
/// Sessions/EgressTranslation.cs turns a policy into the VM layer's rules.
/// </summary>
internal sealed class EgressDefaults
{
    public EgressDefaults(IOptions<EgressOptions> options)
    {
        var value = options.Value;
        var configured = value.DefaultEgress;
        Policy = new EgressPolicy(
            configured.AllowPackageManagers, configured.AllowHttp, configured.AllowHttps,
            [.. configured.AllowedDomains.Select(d => Checked(EgressPolicyParser.NormalizeDomain(d), "DefaultEgress:AllowedDomains", d)).Distinct()],
            [.. configured.AllowedCidrs.Select(c => Checked(EgressPolicyParser.NormalizeCidr(c), "DefaultEgress:AllowedCidrs", c)).Distinct()]);
        PackageManagerHosts = [.. (value.PackageManagerHosts ?? [.. EgressOptions.DefaultPackageManagerHosts])
            .Select(h => Checked(EgressPolicyParser.NormalizeDomain(h), "PackageManagerHosts", h)).Distinct()];
    }

    /// <summary>The policy of a session that has not set one (<c>Capsule:Network:DefaultEgress</c>).</summary>
    public EgressPolicy Policy { get; }

    /// <summary>What <c>allow_package_managers</c> opens.</summary>
    public IReadOnlyList<string> PackageManagerHosts { get; }

    private static string Checked(string? normal, string key, string given) =>
        normal ?? throw new InvalidOperationException($"Capsule:Network:{key}: '{given}' is not a valid entry");
}
