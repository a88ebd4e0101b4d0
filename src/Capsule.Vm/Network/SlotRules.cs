using System.Globalization;
using System.Net;
using Capsule.Vm.Network.Egress;

namespace Capsule.Vm.Network;

/// <summary>The nftables rulesets of a slot (loaded inside its namespace) and of the root namespace, as text for <c>nft -f -</c>.</summary>
internal static class SlotRules
{
    /// <summary>
    /// Inside slot <paramref name="slot"/>, fail closed (docs/network.md §2 and §4):
    /// - connections the host opens to the slot address are DNATed to the guest (and masqueraded to the gateway, so the
    ///   guest answers on its own link); the guest's answers go back;
    /// - the guest's DNS (UDP to its gateway, port 53) and its TCP to ports 80 and 443 are DNATed to the host's resolver and
    ///   transparent proxy, which apply its policy; 80 and 443 to an allowed CIDR go there directly instead;
    /// - to the set <c>allowed</c> (the policy's CIDRs, replaced in one transaction when it changes) every protocol is
    ///   forwarded, except to the ranges no guest reaches and to private ranges the operator has not opened;
    /// - everything else the guest sends (UDP, ICMP, TCP to other ports, IPv6) is refused: a TCP reset or an ICMP
    ///   administratively-prohibited back to the guest, so it fails at once; nothing leaves;
    /// - nothing reaches the namespace itself except answers to what the host runs inside it (<c>ip netns exec</c>, as
    ///   the bench does to reach the guest directly). Counters: bytes to and from the guest, and refused connections.
    /// </summary>
    public static string ForSlot(SlotLayout layout, int slot, EgressPorts ports, AddressRules addresses)
    {
        var host = layout.HostAddress(slot);
        return string.Create(CultureInfo.InvariantCulture, $$"""
        table inet capsule
        delete table inet capsule
        table inet capsule {
          set never {
            type ipv4_addr; flags interval; auto-merge;
            elements = { {{Elements(addresses.NeverWithSlots)}} }
          }
          set private {
            type ipv4_addr; flags interval; auto-merge;
            elements = { {{Elements(AddressRules.Private)}} }
          }
          set opened {
            type ipv4_addr; flags interval; auto-merge;
          {{(addresses.Opened.Count > 0 ? $"  elements = {{ {Elements(addresses.Opened)} }}" : "")}}
          }
          set allowed {
            type ipv4_addr; flags interval; auto-merge;
          }
          counter tx {
          }
          counter rx {
          }
          counter refused {
          }
          chain prerouting {
            type nat hook prerouting priority dstnat; policy accept;
            iifname "{{SlotLayout.UplinkName}}" ip daddr {{layout.SlotAddress(slot)}} dnat ip to {{SlotLayout.GuestAddress}}
            iifname "{{SlotLayout.TapName}}" ip daddr {{SlotLayout.GatewayAddress}} udp dport 53 dnat ip to {{host}}:{{ports.Dns}}
            iifname "{{SlotLayout.TapName}}" ip daddr @allowed return
            iifname "{{SlotLayout.TapName}}" tcp dport 80 dnat ip to {{host}}:{{ports.Http}}
            iifname "{{SlotLayout.TapName}}" tcp dport 443 dnat ip to {{host}}:{{ports.Tls}}
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            oifname "{{SlotLayout.TapName}}" masquerade
            oifname "{{SlotLayout.UplinkName}}" masquerade
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            meta nfproto ipv6 jump refuse
            iifname "{{SlotLayout.UplinkName}}" oifname "{{SlotLayout.TapName}}" ip daddr {{SlotLayout.GuestAddress}} meta l4proto tcp ct state new counter name rx accept
            iifname "{{SlotLayout.UplinkName}}" oifname "{{SlotLayout.TapName}}" ct state established,related counter name rx accept
            iifname "{{SlotLayout.TapName}}" oifname "{{SlotLayout.UplinkName}}" ct direction reply counter name tx accept
            iifname "{{SlotLayout.TapName}}" oifname "{{SlotLayout.UplinkName}}" ct status dnat ip daddr {{host}} meta l4proto . th dport { udp . {{ports.Dns}}, tcp . {{ports.Http}}, tcp . {{ports.Tls}} } counter name tx accept
            iifname "{{SlotLayout.TapName}}" ip daddr @never jump refuse
            iifname "{{SlotLayout.TapName}}" oifname "{{SlotLayout.UplinkName}}" ip daddr @opened ip daddr @allowed counter name tx accept
            iifname "{{SlotLayout.TapName}}" ip daddr @private jump refuse
            iifname "{{SlotLayout.TapName}}" oifname "{{SlotLayout.UplinkName}}" ip daddr @allowed counter name tx accept
            iifname "{{SlotLayout.TapName}}" jump refuse
          }
          chain refuse {
            ct state new counter name refused
            meta l4proto tcp reject with tcp reset
            reject with icmpx admin-prohibited
          }
          chain input {
            type filter hook input priority filter; policy drop;
            iifname "lo" accept
            ct state established,related accept
          }
        }

        """);
    }

    /// <summary>Replaces the slot's <c>allowed</c> set in one transaction: new connections see the old set or the new one, never a mix.</summary>
    public static string AllowedCidrs(IReadOnlyList<IPNetwork> cidrs) =>
        cidrs.Count == 0
            ? "flush set inet capsule allowed\n"
            : $"flush set inet capsule allowed\nadd element inet capsule allowed {{ {Elements(cidrs)} }}\n";

    /// <summary>
    /// In the root namespace: a slot's link may carry answers to connections the host opened, the guest's DNS and proxy
    /// connections to this server's resolver and proxy, and what the slot's own rules forwarded (never to another slot,
    /// nor to any host address); the resolver's and proxy's ports take nothing from any other interface. What leaves to
    /// the host's other interfaces is masqueraded.
    /// </summary>
    public static string ForRoot(SlotLayout layout, EgressPorts ports)
    {
        var slots = $"\"{layout.VethPrefix}*\"";
        var services = string.Create(CultureInfo.InvariantCulture, $"{{ udp . {ports.Dns}, tcp . {ports.Http}, tcp . {ports.Tls} }}");
        return string.Create(CultureInfo.InvariantCulture, $$"""
        table inet {{layout.RootTable}}
        delete table inet {{layout.RootTable}}
        table inet {{layout.RootTable}} {
          chain input {
            type filter hook input priority filter; policy accept;
            iifname {{slots}} ct state established,related accept
            iifname {{slots}} ip daddr {{layout.InstanceRange}} meta l4proto . th dport {{services}} accept
            iifname {{slots}} drop
            meta l4proto . th dport {{services}} drop
          }
          chain forward {
            type filter hook forward priority filter; policy accept;
            iifname {{slots}} oifname {{slots}} drop
            iifname {{slots}} ip daddr {{layout.PrefixRange}} drop
            iifname {{slots}} meta nfproto ipv4 accept
            iifname {{slots}} drop
            oifname {{slots}} ct state established,related accept
            oifname {{slots}} drop
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            iifname {{slots}} oifname != {{slots}} masquerade
          }
        }

        """);
    }

    private static string Elements(IEnumerable<IPNetwork> networks) => string.Join(", ", networks.Select(n => n.ToString()));
}
