using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Capsule.Vm.Network;

/// <summary>
/// Names and addresses of one server's slots. Everything a slot is named after carries the instance number, so the
/// janitor of one server only ever removes its own: namespace <c>capsule-&lt;ii&gt;-&lt;n&gt;</c>, root-side veth
/// <c>cvh&lt;ii&gt;s&lt;n&gt;</c>, root-namespace table <c>capsule_&lt;ii&gt;</c> (ii: the instance in hex).
/// </summary>
internal sealed record SlotLayout(int Instance, string Prefix)
{
    /// <summary>Slots per instance: a /24 of /30s.</summary>
    public const int MaxSlots = 64;

    /// <summary>The guest's address and MAC, the same in every template and clone (guest/initramfs/init).</summary>
    public const string GuestAddress = "169.254.0.21";

    /// <summary>The slot's side of the guest link (tap0): the guest's gateway.</summary>
    public const string GatewayAddress = "169.254.0.22";

    /// <summary>The tap's MAC, pinned: a restored guest's ARP cache holds the one from snapshot time.</summary>
    public const string TapMac = "02:ca:75:00:00:01";

    public const string TapName = "tap0";

    /// <summary>The slot namespace's end of the veth pair.</summary>
    public const string UplinkName = "uplink0";

    public static SlotLayout For(NetworkOptions options, string runDirectory) =>
        new(options.InstanceId ?? DerivedInstance(runDirectory), options.SlotPrefix);

    public string Hex => Instance.ToString("x2", CultureInfo.InvariantCulture);

    public string NamespacePrefix => $"capsule-{Hex}-";

    public string VethPrefix => $"cvh{Hex}s";

    public string RootTable => $"capsule_{Hex}";

    public string Namespace(int slot) => Invariant($"{NamespacePrefix}{slot}");

    public string HostVeth(int slot) => Invariant($"{VethPrefix}{slot}");

    /// <summary>The root namespace's end of slot <paramref name="slot"/>'s link.</summary>
    public string HostAddress(int slot) => Invariant($"{Prefix}.{Instance}.{4 * slot + 1}");

    /// <summary>The slot namespace's end: where the host reaches the guest's ports (DNAT to the guest).</summary>
    public string SlotAddress(int slot) => Invariant($"{Prefix}.{Instance}.{4 * slot + 2}");

    /// <summary>Every slot address of this instance (a /24).</summary>
    public string InstanceRange => Invariant($"{Prefix}.{Instance}.0/24");

    /// <summary>Every slot address of every instance on this machine (a /16).</summary>
    public string PrefixRange => Invariant($"{Prefix}.0.0/16");

    /// <summary>The slot whose namespace end (<see cref="SlotAddress"/>) is <paramref name="address"/>, or null.</summary>
    public int? SlotOfAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
            return null;
        var bytes = address.GetAddressBytes();
        var prefix = Invariant($"{bytes[0]}.{bytes[1]}");
        return prefix == Prefix && bytes[2] == Instance && bytes[3] % 4 == 2 && bytes[3] / 4 < MaxSlots ? bytes[3] / 4 : null;
    }

    /// <summary>The slot number in a namespace name of this instance, or null for any other name.</summary>
    public int? SlotOf(string namespaceName) =>
        namespaceName.StartsWith(NamespacePrefix, StringComparison.Ordinal)
        && int.TryParse(namespaceName.AsSpan(NamespacePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var slot)
            ? slot
            : null;

    private static int DerivedInstance(string runDirectory) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(runDirectory)))[0];

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
