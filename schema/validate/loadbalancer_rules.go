package validate

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agext/levenshtein"
)

// lbRule is one allow-list of LB-REFERENCE.md: a description for the
// diagnostic and a check that returns why a value breaks it ("" = ok).
type lbRule struct {
	what  string
	check func(string) string
}

var (
	identRe    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	labelRe    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	dnsLabelRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	pathRe     = regexp.MustCompile(`^/([A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*$`)
	queryRe    = regexp.MustCompile(`^[A-Za-z0-9._~=&-]*$`)
	cookieRe   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)
	filePathRe = regexp.MustCompile(`^/[A-Za-z0-9._/-]+$`)
)

var (
	identRule = lbRule{"a lower-case identifier: a letter, then letters, digits or _ (at most 63)", func(s string) string {
		if !identRe.MatchString(s) {
			return "it must match " + identRe.String()
		}
		return ""
	}}
	dnsLabelRule = lbRule{"a DNS-1123 label (lower-case letters, digits and -, at most 63)", func(s string) string {
		if !dnsLabelRe.MatchString(s) {
			return "it must match " + dnsLabelRe.String()
		}
		return ""
	}}
	hostRule       = lbRule{"an IP address or an RFC 1123 host name", func(s string) string { return checkHost(s, false) }}
	serverNameRule = lbRule{"a host name, optionally starting with *.", func(s string) string { return checkHost(s, true) }}
	pathRule       = lbRule{"a URL path such as /health (letters, digits, . _ ~ / - and %XX escapes, at most 1024)", checkPath}
	healthURIRule  = lbRule{"a URL path with an optional ?query of letters, digits and . _ ~ = & -", func(s string) string {
		p, q, hasQ := strings.Cut(s, "?")
		if msg := checkPath(p); msg != "" {
			return msg
		}
		if hasQ && !queryRe.MatchString(q) {
			return "the query must match " + queryRe.String()
		}
		return ""
	}}
	cookieRule = lbRule{"a cookie name: a letter or _, then letters, digits or _ (at most 64)", func(s string) string {
		if !cookieRe.MatchString(s) {
			return "it must match " + cookieRe.String() + ", since Nginx reads $cookie_NAME only up to the first other character"
		}
		return ""
	}}
	filePathRule = lbRule{"an absolute file path of letters, digits, . _ / - with no ..", func(s string) string {
		switch {
		case len(s) > 4096:
			return "it is longer than 4096 bytes"
		case !filePathRe.MatchString(s):
			return "it must match " + filePathRe.String()
		}
		return noDotDot(s)
	}}
)

// socketRule is HAProxy's admin socket: a Unix socket path, or a TCP
// address on loopback (an admin API must not listen on the network).
var socketRule = lbRule{"an absolute socket path, or ipv4@127.0.0.1:PORT / ipv6@[::1]:PORT (loopback only)", func(s string) string {
	var hostport string
	switch {
	case strings.HasPrefix(s, "ipv4@"):
		hostport = s[len("ipv4@"):]
	case strings.HasPrefix(s, "ipv6@"):
		hostport = s[len("ipv6@"):]
	default:
		return filePathRule.check(s)
	}
	ap, err := netip.ParseAddrPort(hostport)
	switch {
	case err != nil:
		return "the address must be IP:PORT (IPv6 in brackets)"
	case ap.Addr().Zone() != "":
		return "an IPv6 zone (%...) is not accepted"
	case !ap.Addr().IsLoopback():
		return "a TCP admin socket must listen on a loopback address"
	case ap.Port() == 0:
		return "the port must be 1..65535"
	case strings.HasPrefix(s, "ipv4@") != ap.Addr().Is4():
		return "ipv4@ needs an IPv4 address and ipv6@ an IPv6 one"
	}
	return ""
}}

// listenAddrRule is one of listen_addresses: an IP address in its canonical
// form (what the emitters print), without zone or IPv4-in-IPv6 mapping.
var listenAddrRule = lbRule{"an IP address in canonical form, such as 0.0.0.0, 127.0.0.1, :: or ::1", func(s string) string {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return "it is not an IP address"
	case a.Zone() != "":
		return "an IPv6 zone (%...) is not accepted"
	case a.Is4In6():
		return "an IPv4-mapped IPv6 address is not accepted; write the IPv4 address"
	case a.String() != s:
		return "write it as " + strconv.Quote(a.String())
	}
	return ""
}}

func checkPath(s string) string {
	switch {
	case len(s) > 1024:
		return "it is longer than 1024 bytes"
	case !pathRe.MatchString(s):
		return "it must match " + pathRe.String()
	}
	return noDotDot(s)
}

func noDotDot(s string) string {
	for _, seg := range strings.Split(s, "/") {
		if seg == ".." {
			return "it must not contain a .. segment"
		}
	}
	return ""
}

// checkHost accepts an IP address (no zone: a zone's % would reach the
// config) or a host name of RFC 1123 labels.
func checkHost(s string, wildcard bool) string {
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return "an IPv6 zone (%...) is not accepted"
		}
		return ""
	}
	name := s
	if wildcard {
		name = strings.TrimPrefix(s, "*.")
	}
	if name == "" || len(name) > 253 {
		return "a host name has 1 to 253 characters"
	}
	for _, l := range strings.Split(name, ".") {
		if !labelRe.MatchString(l) {
			return "each dot-separated label must match " + labelRe.String()
		}
	}
	return ""
}

// lbQuote shows a rejected value in a diagnostic without letting control
// characters or an overlong value through to a terminal.
func lbQuote(s string) string {
	if utf8.RuneCountInString(s) > 80 {
		r := []rune(s)
		return strconv.QuoteToASCII(string(r[:80])) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// lbSuggest returns the allowed value closest to got, if it is close.
func lbSuggest(got string, allowed []string) string {
	best, bestD := "", 4
	for _, a := range allowed {
		if d := levenshtein.Distance(strings.ToLower(got), a, nil); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}
