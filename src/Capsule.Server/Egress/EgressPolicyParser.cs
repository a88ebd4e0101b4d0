using System.Net;
using Capsule.Server.Api.Validation;

namespace Capsule.Server.Egress;

/// <summary>
/// Reads an egress policy object (the body of <c>POST /v1/egress/session/{id}</c>, or <c>egress_policy</c> at create):
/// absent fields are false or empty, as InstaVM's defaults are; a malformed domain pattern or CIDR is a 422 at its index.
/// </summary>
internal static class EgressPolicyParser
{
    /// <summary>Longest domain name DNS carries.</summary>
    private const int MaxDomainLength = 253;

    /// <summary>Most entries in either list.</summary>
    public const int MaxEntries = 256;

    public static EgressPolicy? Parse(BodyFields fields)
    {
        var packageManagers = fields.Bool("allow_package_managers", defaultValue: false);
        var http = fields.Bool("allow_http", defaultValue: false);
        var https = fields.Bool("allow_https", defaultValue: false);
        var domains = Check(fields, "allowed_domains", fields.OptionalStringList("allowed_domains") ?? [], NormalizeDomain,
            "a domain is a host name such as example.com, or *.example.com for its subdomains");
        var cidrs = Check(fields, "allowed_cidrs", fields.OptionalStringList("allowed_cidrs") ?? [], NormalizeCidr,
            "a CIDR is an address block such as 203.0.113.0/24 or 2001:db8::/32");
        if (packageManagers is null || http is null || https is null || domains is null || cidrs is null)
            return null;
        return new EgressPolicy(packageManagers.Value, http.Value, https.Value, domains, cidrs);
    }

    private static List<string>? Check(BodyFields fields, string name, List<string> items, Func<string, string?> normalize, string rule)
    {
        if (items.Count > MaxEntries)
        {
            fields.ValueError(name, $"at most {MaxEntries} entries");
            return null;
        }
        var result = new List<string>();
        var valid = true;
        for (var i = 0; i < items.Count; i++)
        {
            if (normalize(items[i]) is { } normal)
            {
                if (!result.Contains(normal, StringComparer.Ordinal))
                    result.Add(normal);
            }
            else
            {
                fields.ItemValueError(name, i, $"'{items[i]}' is not valid: {rule}", items[i]);
                valid = false;
            }
        }
        return valid ? result : null;
    }

    /// <summary><c>example.com</c> or <c>*.example.com</c>, lower case; null when it is neither.</summary>
    public static string? NormalizeDomain(string text)
    {
        var name = text.Trim().TrimEnd('.').ToLowerInvariant();
        var host = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (host.Length is 0 or > MaxDomainLength || !host.Contains('.', StringComparison.Ordinal) || IPAddress.TryParse(host, out _))
            return null;
        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
                return null;
        }
        return name;
    }

    /// <summary>A CIDR in canonical form (host bits cleared are required: 10.0.0.1/8 is refused); null when malformed.</summary>
    public static string? NormalizeCidr(string text) =>
        IPNetwork.TryParse(text.Trim(), out var network) ? network.ToString() : null;
}
