using System.Diagnostics;

namespace Capsule.Harness;

/// <summary>The network namespaces named in <c>/run/netns</c>: the slots servers make are named <c>capsule-&lt;instance&gt;-&lt;n&gt;</c>.</summary>
internal static class NetworkNamespaces
{
    public static IReadOnlySet<string> Slots() =>
        Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns", "capsule-*").Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Everything of servers' networking on this host, by name: slot namespaces, root-side veths (<c>link:cvh…</c>) and
    /// root-namespace nftables tables (<c>nft:capsule_…</c>), for a before/after comparison of leftovers.
    /// </summary>
    public static IReadOnlySet<string> Everything()
    {
        var names = new HashSet<string>(Slots(), StringComparer.Ordinal);
        if (Directory.Exists("/sys/class/net"))
        {
            foreach (var link in Directory.GetFileSystemEntries("/sys/class/net", "cvh*"))
                names.Add("link:" + Path.GetFileName(link));
        }
        foreach (var table in FirewallTables())
            names.Add("nft:" + table);
        return names;
    }

    /// <summary>The root namespace's <c>inet capsule_*</c> tables (none when nft is missing).</summary>
    private static IEnumerable<string> FirewallTables()
    {
        if (!File.Exists("/usr/sbin/nft"))
            return [];
        var info = new ProcessStartInfo("/usr/sbin/nft", ["list", "tables"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var nft = Process.Start(info);
        if (nft is null)
            return [];
        var output = nft.StandardOutput.ReadToEnd();
        nft.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' '))
            .Where(parts => parts is ["table", "inet", var name] && name.StartsWith("capsule_", StringComparison.Ordinal))
            .Select(parts => parts[2])
            .ToList();
    }
}
