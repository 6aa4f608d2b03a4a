package lbconf

import "net/netip"

// IsIP reports whether host is a literal IP address.
func IsIP(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// IsIPv6 reports whether host is a literal IPv6 address (bracketed in
// host:port forms).
func IsIPv6(host string) bool {
	a, err := netip.ParseAddr(host)
	return err == nil && a.Is6()
}
