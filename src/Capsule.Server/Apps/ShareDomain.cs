using System.Globalization;

namespace Capsule.Server.Apps;

/// <summary>
/// The host-name form of share addresses: <c>&lt;share id&gt;.&lt;domain&gt;</c>. A domain is lower-case host name
/// labels (letters, digits, inner hyphens; 1-63 characters each), optionally followed by <c>:port</c>; it leaves room
/// for a share id label under the 253-character limit and is not an IP address.
/// </summary>
internal static class ShareDomain
{
    private const int MaxHostLength = 253;

    /// <summary>Null when <paramref name="domain"/> is usable, else why not (for the start-up error).</summary>
    public static string? Problem(string domain)
    {
        var (host, port) = Split(domain);
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535))
            return $"its port '{port}' is not 1 to 65535";
        if (host.Length == 0)
            return "it has no host name";
        if (host.Length + 27 > MaxHostLength)
            return "it is too long to put a share id in front of it";
        var labels = host.Split('.');
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63)
                return "each dot-separated label must be 1 to 63 characters (no leading, trailing or double dots)";
            if (label[0] == '-' || label[^1] == '-' || label.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
                return $"label '{label}' is not lower-case letters, digits and inner hyphens (no scheme, path or '*')";
        }
        if (labels[^1].All(char.IsAsciiDigit))
            return "it looks like an IP address; share host names need a DNS name";
        return null;
    }

    /// <summary>The share id a request's host names (<c>&lt;id&gt;.&lt;domain&gt;</c>, any port, any case), or null.</summary>
    public static string? ShareIdFromHost(string requestHost, string domain)
    {
        var host = Split(requestHost).Host;
        var suffix = Split(domain).Host;
        if (host.Length != 27 + suffix.Length || host[26] != '.' || !host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            return null;
        var id = host[..26].ToLowerInvariant();
        return ShareIds.IsWellFormed(id) ? id : null;
    }

    /// <summary>Whether the request's host is under the domain at all (<c>x.&lt;domain&gt;</c>, any port, any case).</summary>
    public static bool IsUnder(string requestHost, string domain) =>
        Split(requestHost).Host.EndsWith("." + Split(domain).Host, StringComparison.OrdinalIgnoreCase);

    /// <summary>The share's URL: <c>&lt;scheme&gt;://&lt;share id&gt;.&lt;domain&gt;/</c>.</summary>
    public static string Url(string scheme, string shareId, string domain) => $"{scheme}://{shareId}.{domain}/";

    private static (string Host, string? Port) Split(string hostAndPort)
    {
        var colon = hostAndPort.LastIndexOf(':');
        return colon < 0 ? (hostAndPort, null) : (hostAndPort[..colon], hostAndPort[(colon + 1)..]);
    }
}
