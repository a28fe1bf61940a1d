package webhooks

import (
	"net/netip"
)

// refusedRange is one block of addresses the client will not connect to.
type refusedRange struct {
	prefix netip.Prefix
	name   string
}

// refusedRanges are the destinations NewClient refuses unless
// ClientOptions.AllowPrivate is set: everything that is not the public
// internet. IPv4-mapped (::ffff:a.b.c.d) addresses are checked as the IPv4
// address they carry; so are NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
// addresses.
var refusedRanges = func() []refusedRange {
	table := []struct{ cidr, name string }{
		// IPv4
		{"0.0.0.0/8", "\"this network\" (RFC 791), includes the unspecified address"},
		{"10.0.0.0/8", "private (RFC 1918)"},
		{"100.64.0.0/10", "carrier-grade NAT (RFC 6598)"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link-local, includes cloud metadata 169.254.169.254"},
		{"172.16.0.0/12", "private (RFC 1918)"},
		{"192.0.0.0/24", "IETF protocol assignments (RFC 6890)"},
		{"192.0.2.0/24", "documentation (RFC 5737)"},
		{"192.168.0.0/16", "private (RFC 1918)"},
		{"198.18.0.0/15", "benchmarking (RFC 2544)"},
		{"198.51.100.0/24", "documentation (RFC 5737)"},
		{"203.0.113.0/24", "documentation (RFC 5737)"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved, includes broadcast 255.255.255.255"},
		// IPv6
		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::/96", "IPv4-compatible (deprecated, RFC 4291)"},
		{"100::/64", "discard-only (RFC 6666)"},
		{"2001:db8::/32", "documentation (RFC 3849)"},
		{"fc00::/7", "unique local (RFC 4193)"},
		{"fe80::/10", "link-local"},
		{"fec0::/10", "site-local (deprecated, RFC 3879)"},
		{"ff00::/8", "multicast"},
	}
	out := make([]refusedRange, len(table))
	for i, r := range table {
		out[i] = refusedRange{netip.MustParsePrefix(r.cidr), r.name}
	}
	return out
}()

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// refusedReason returns why ip is refused, or "" when it is a public
// address. An invalid address is refused.
func refusedReason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		if r := refusedReason(ip.Unmap()); r != "" {
			return "IPv4-mapped " + r
		}
		return ""
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip):
			if r := refusedReason(netip.AddrFrom4([4]byte(b[12:16]))); r != "" {
				return "NAT64 " + r
			}
			return ""
		case sixToFour.Contains(ip):
			if r := refusedReason(netip.AddrFrom4([4]byte(b[2:6]))); r != "" {
				return "6to4 " + r
			}
		}
	}
	for _, r := range refusedRanges {
		if r.prefix.Contains(ip) {
			return r.name
		}
	}
	return ""
}
