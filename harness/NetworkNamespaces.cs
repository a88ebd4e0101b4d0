namespace Capsule.Harness;

/// <summary>The network namespaces named in <c>/run/netns</c>: the slots servers make are named <c>capsule-&lt;instance&gt;-&lt;n&gt;</c>.</summary>
internal static class NetworkNamespaces
{
    public static IReadOnlySet<string> Slots() =>
        Directory.Exists("/run/netns")
            ? Directory.GetFiles("/run/netns", "capsule-*").Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
}
