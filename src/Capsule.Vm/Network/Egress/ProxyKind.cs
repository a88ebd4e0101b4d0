namespace Capsule.Vm.Network.Egress;

/// <summary>What the transparent proxy reads a connection's destination name from.</summary>
internal enum ProxyKind
{
    /// <summary>Port 80: the HTTP <c>Host</c> header.</summary>
    Http,
    /// <summary>Port 443: the TLS ClientHello's server name (SNI).</summary>
    Tls,
}
