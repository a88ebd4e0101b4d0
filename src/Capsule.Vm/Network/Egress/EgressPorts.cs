namespace Capsule.Vm.Network.Egress;

/// <summary>The host ports of this server's resolver and transparent proxy, which every slot's DNAT targets.</summary>
internal sealed record EgressPorts(int Dns, int Http, int Tls);
