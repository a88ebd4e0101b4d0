namespace Capsule.Vm;

/// <summary>
/// What guests' egress policies denied on this host since it started, over every slot: connections the transparent
/// proxy refused (a name or address the policy does not allow) and lookups the resolver refused.
/// </summary>
public sealed record EgressDenials(long Connections, long Lookups)
{
    public static readonly EgressDenials None = new(0, 0);
}
