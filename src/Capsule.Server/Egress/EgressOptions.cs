namespace Capsule.Server.Egress;

/// <summary>The server's side of <c>Capsule:Network</c>: the default policy and what "package managers" means (docs/network.md §4).</summary>
internal sealed class EgressOptions
{
    public const string SectionName = "Capsule:Network";

    /// <summary>The policy of a session that has not set one. Shipped: package managers only.</summary>
    public DefaultEgressOptions DefaultEgress { get; set; } = new();

    /// <summary>
    /// The host names <c>allow_package_managers</c> opens (ports 80 and 443): Debian's archive, PyPI and the npm registry.
    /// Exact names or <c>*.example.com</c>. Setting this list replaces the default.
    /// </summary>
    public List<string>? PackageManagerHosts { get; set; }

    public static readonly IReadOnlyList<string> DefaultPackageManagerHosts =
        ["deb.debian.org", "security.debian.org", "pypi.org", "files.pythonhosted.org", "registry.npmjs.org"];
}

/// <summary><c>Capsule:Network:DefaultEgress</c>: InstaVM's policy fields.</summary>
internal sealed class DefaultEgressOptions
{
    public bool AllowPackageManagers { get; set; } = true;
    public bool AllowHttp { get; set; }
    public bool AllowHttps { get; set; }
    public List<string> AllowedDomains { get; set; } = [];
    public List<string> AllowedCidrs { get; set; } = [];
}
