namespace Capsule.Vm.Network.Egress;

/// <summary>The upstream resolvers did not answer a name (a timeout, a refusal, a malformed answer).</summary>
internal sealed class UpstreamDnsException(string message, Exception inner) : Exception(message, inner);
