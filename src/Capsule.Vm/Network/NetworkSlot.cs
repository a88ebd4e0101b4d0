namespace Capsule.Vm.Network;

/// <summary>One machine's network: a namespace with the guest's tap and an uplink to the host, fail closed.</summary>
/// <param name="Index">The slot number within this server.</param>
/// <param name="Namespace">The network namespace QEMU runs in (<c>/run/netns/&lt;name&gt;</c>).</param>
/// <param name="GuestEndpoint">The address the host reaches the guest's ports at (DNATed to the guest).</param>
internal sealed record NetworkSlot(int Index, string Namespace, string GuestEndpoint)
{
    public string NamespacePath => $"/run/netns/{Namespace}";
}
