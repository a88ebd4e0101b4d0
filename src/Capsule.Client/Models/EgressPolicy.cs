namespace Capsule.Client;

/// <summary>
/// What a session's VMs may reach (InstaVM's egress fields). Setting a policy replaces the whole policy; what is not
/// allowed here is denied.
/// </summary>
public sealed record EgressPolicy
{
    /// <summary>Debian's archive, PyPI and the npm registry (the server's list).</summary>
    public bool AllowPackageManagers { get; init; }

    /// <summary>Port 80 to any allowed destination.</summary>
    public bool AllowHttp { get; init; }

    /// <summary>Port 443 to any allowed destination.</summary>
    public bool AllowHttps { get; init; }

    /// <summary>Host names, exact or <c>*.example.com</c> wildcards.</summary>
    public IReadOnlyList<string> AllowedDomains { get; init; } = [];

    /// <summary>Address ranges, e.g. <c>203.0.113.0/24</c>.</summary>
    public IReadOnlyList<string> AllowedCidrs { get; init; } = [];

    /// <summary>A policy that allows nothing.</summary>
    public static EgressPolicy DenyAll { get; } = new();
}
