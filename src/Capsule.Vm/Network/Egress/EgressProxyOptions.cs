namespace Capsule.Vm.Network.Egress;

/// <summary>The proxy's bounds.</summary>
/// <param name="SniffTimeout">How long a guest has to send its request head or ClientHello.</param>
/// <param name="ConnectTimeout">How long one address of the destination has to accept.</param>
internal sealed record EgressProxyOptions(TimeSpan SniffTimeout, TimeSpan ConnectTimeout);
