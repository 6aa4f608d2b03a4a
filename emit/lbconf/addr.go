package lbconf

import (
	"net/netip"
	"strconv"

	"github.com/nbac/nbac/schema"
)

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

// Bind is one address:port a front end listens on.
type Bind struct {
	// Addr is "" for the default (every IPv4 address), else a canonical IP.
	Addr string
	Port int
	// V6 is true for an IPv6 address, printed in brackets.
	V6 bool
}

// String renders the bind as HAProxy and Nginx both read it: ":port" for
// the default, "a.b.c.d:port" or "[v6]:port".
func (b Bind) String() string {
	p := strconv.Itoa(b.Port)
	switch {
	case b.Addr == "":
		return ":" + p
	case b.V6:
		return "[" + b.Addr + "]:" + p
	}
	return b.Addr + ":" + p
}

// Binds lists where lb listens on port: one bind per listen_addresses entry
// (re-serialised by netip, so only an address's canonical text is
// printed), or the single default bind when the list is empty.
func Binds(lb *schema.LoadBalancer, port int) []Bind {
	if len(lb.ListenAddresses) == 0 {
		return []Bind{{Port: port}}
	}
	out := make([]Bind, 0, len(lb.ListenAddresses))
	for _, s := range lb.ListenAddresses {
		a, err := netip.ParseAddr(s)
		if err != nil { // refused by validation; never printed
			continue
		}
		out = append(out, Bind{Addr: a.String(), Port: port, V6: a.Is6()})
	}
	return out
}
