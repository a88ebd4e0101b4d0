using System.Net;

namespace Capsule.Vm;

/// <summary>
/// What a machine's guest may reach, enforced on the host (docs/network.md §4); the VM layer's side of a session's
/// egress policy. Whatever these say, the host's own addresses, other guests, loopback, link-local, multicast and the
/// private ranges the operator has not opened stay unreachable, and IPv6 is dropped.
/// </summary>
public sealed record EgressRules
{
    /// <summary>Nothing leaves the guest: every name is refused and every connection rejected.</summary>
    public static EgressRules DenyAll { get; } = new();

    /// <summary>Plain HTTP (port 80) to any name, checked by its <c>Host</c> header.</summary>
    public bool AnyHttp { get; init; }

    /// <summary>TLS (port 443) to any name, checked by its SNI.</summary>
    public bool AnyHttps { get; init; }

    /// <summary>
    /// Names the guest may resolve and reach on ports 80 and 443: <c>example.com</c> exactly, <c>*.example.com</c> any of
    /// its subdomains. Lower case, without a trailing dot.
    /// </summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>IPv4 blocks reachable directly on every port and protocol (private ones only where the operator opened them).</summary>
    public IReadOnlyList<IPNetwork> Cidrs { get; init; } = [];

    public bool IsDenyAll => !AnyHttp && !AnyHttps && Domains.Count == 0 && Cidrs.Count == 0;

    public bool Equals(EgressRules? other) =>
        other is not null && AnyHttp == other.AnyHttp && AnyHttps == other.AnyHttps
        && Domains.SequenceEqual(other.Domains) && Cidrs.SequenceEqual(other.Cidrs);

    public override int GetHashCode() => HashCode.Combine(AnyHttp, AnyHttps, Domains.Count, Cidrs.Count);
}
