namespace Capsule.Server.Egress;

/// <summary>
/// A session's egress policy, InstaVM's fields: package managers, plain HTTP (80), HTTPS (443), domains (exact names and
/// <c>*.example.com</c>), CIDRs. Names are lower case, CIDRs in canonical form.
/// </summary>
internal sealed record EgressPolicy(
    bool AllowPackageManagers, bool AllowHttp, bool AllowHttps, IReadOnlyList<string> AllowedDomains, IReadOnlyList<string> AllowedCidrs)
{
    /// <summary>Nothing leaves the guest: no packet, no DNS answer.</summary>
    public static EgressPolicy DenyAll { get; } = new(false, false, false, [], []);

    public bool IsDenyAll => !AllowPackageManagers && !AllowHttp && !AllowHttps && AllowedDomains.Count == 0 && AllowedCidrs.Count == 0;
}
