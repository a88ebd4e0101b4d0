namespace Capsule.Vm.Network.Egress;

/// <summary>Matches host names against <see cref="EgressRules.Domains"/>: exact names, and <c>*.example.com</c> for subdomains only.</summary>
internal static class DomainPatterns
{
    /// <summary>A host name as DNS, HTTP and TLS carry it: lower case, no trailing dot, no port; null when it is no name.</summary>
    public static string? Normalize(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return null;
        var normal = name.Trim().TrimEnd('.').ToLowerInvariant();
        return normal.Length is 0 or > 253 ? null : normal;
    }

    public static bool Matches(IReadOnlyList<string> patterns, string name)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com" nor "badexample.com".
                if (name.Length > pattern.Length - 1 && name.EndsWith(pattern.AsSpan(1), StringComparison.Ordinal))
                    return true;
            }
            else if (string.Equals(pattern, name, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether the guest may resolve <paramref name="name"/> at all (it may connect to it on some port).</summary>
    public static bool MayResolve(EgressRules rules, string name) =>
        rules.AnyHttp || rules.AnyHttps || Matches(rules.Domains, name);

    /// <summary>Whether a connection to <paramref name="name"/> of <paramref name="kind"/> is allowed.</summary>
    public static bool MayConnect(EgressRules rules, ProxyKind kind, string name) =>
        (kind == ProxyKind.Http ? rules.AnyHttp : rules.AnyHttps) || Matches(rules.Domains, name);
}
