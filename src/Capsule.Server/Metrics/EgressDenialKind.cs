namespace Capsule.Server.Metrics;

/// <summary>What a guest tried that its egress policy denied, as <c>capsule_egress_denied_total</c> counts it.</summary>
internal enum EgressDenialKind
{
    /// <summary>An outbound connection (or datagram flow) to an address the policy does not allow.</summary>
    Connection,
    /// <summary>A DNS lookup of a name the policy does not allow.</summary>
    Lookup,
}
