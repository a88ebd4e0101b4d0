using System.Globalization;

namespace Capsule.Vm.Network;

/// <summary>The nftables rulesets of a slot (loaded inside its namespace) and of the root namespace, as text for <c>nft -f -</c>.</summary>
internal static class SlotRules
{
    /// <summary>
    /// Inside slot <paramref name="slot"/>: fail closed. The guest may answer connections the host opens to its ports
    /// (the slot address is DNATed to the guest, and masqueraded to the gateway so the guest answers on its link), and
    /// nothing else: every connection the guest starts, every UDP datagram and ICMP message it sends, and everything
    /// addressed to the slot itself is dropped. IPv6 is dropped whole. The egress policy (docs/network.md §3) will add
    /// accept rules to the forward chain, in one transaction.
    /// </summary>
    public static string ForSlot(SlotLayout layout, int slot) => string.Create(CultureInfo.InvariantCulture, $$"""
        table inet capsule
        delete table inet capsule
        table inet capsule {
          chain prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            iifname "{{SlotLayout.UplinkName}}" ip daddr {{layout.SlotAddress(slot)}} dnat ip to {{SlotLayout.GuestAddress}}
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            oifname "{{SlotLayout.TapName}}" masquerade
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            meta nfproto ipv6 drop
            iifname "{{SlotLayout.UplinkName}}" oifname "{{SlotLayout.TapName}}" ip daddr {{SlotLayout.GuestAddress}} meta l4proto tcp ct state new,established accept
            iifname "{{SlotLayout.TapName}}" oifname "{{SlotLayout.UplinkName}}" ct state established,related accept
          }
          chain input {
            type filter hook input priority filter; policy drop;
            iifname "lo" accept
          }
        }

        """);

    /// <summary>
    /// In the root namespace: a slot's link may carry only answers to connections the host opened; nothing a guest or a
    /// slot starts reaches a host service.
    /// </summary>
    public static string ForRoot(SlotLayout layout) => string.Create(CultureInfo.InvariantCulture, $$"""
        table inet {{layout.RootTable}}
        delete table inet {{layout.RootTable}}
        table inet {{layout.RootTable}} {
          chain input {
            type filter hook input priority filter; policy accept;
            iifname "{{layout.VethPrefix}}*" ct state established,related accept
            iifname "{{layout.VethPrefix}}*" drop
          }
          chain forward {
            type filter hook forward priority filter; policy accept;
            iifname "{{layout.VethPrefix}}*" drop
            oifname "{{layout.VethPrefix}}*" drop
          }
        }

        """);
}
