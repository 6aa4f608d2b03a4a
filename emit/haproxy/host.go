package haproxy

import (
	"strconv"
	"strings"

	"github.com/nbac/nbac/emit/lbconf"
)

// Host handling. HAProxy answers every Host on its binds and would copy any
// Host into a redirect's Location, so the front end reads the Host once
// into a variable, lower-cased and without its port, after refusing a Host
// that is not a host name or a bracketed IP literal with an optional port.
// Both the server_names filter and the redirect use that variable only.
const (
	hostVar = "txn.nbac_host"
	// hostExpr strips a trailing :port (an IPv6 literal keeps its
	// brackets: "[::1]:8080" -> "[::1]").
	hostExpr = "req.hdr(host),lower,regsub(:[0-9]+$,)"
	// hostSyntax is a well-formed Host: name or [IPv6] (or IPv4), with an
	// optional port. '[[]' and '[]]' are a literal '[' and ']' without a
	// backslash, which HAProxy's quoting would otherwise need.
	hostSyntax = `^([[][0-9A-Fa-f:.]+[]]|[A-Za-z0-9._-]+)(:[0-9]+)?$`
)

// fixedTexts are the only strings printed as the fixed kind.
var fixedTexts = map[string]bool{hostExpr: true, hostSyntax: true}

// hostNeeded reports whether the front end reads the Host: to enforce
// server_names, or to build the HTTP->HTTPS redirect.
func (b *builder) hostNeeded() bool {
	lb := b.lb
	return len(lb.ServerNames) > 0 || (lb.TLS != nil && lb.TLS.RedirectHTTP)
}

// hosts writes the Host checks: 400 for a missing or malformed Host, 421
// (Misdirected Request) for a Host that server_names does not list.
func (b *builder) hosts(f *section) {
	if !b.hostNeeded() {
		return
	}
	f.add("http-request", append([]arg{w("deny"), w("deny_status"), w("400"), w("unless")},
		openBrace, w("req.hdr(host)"), w("-m"), w("reg"), arg{s: hostSyntax, kind: fixed}, closeBrace)...)
	f.add("http-request", w("set-var("+hostVar+")"), arg{s: hostExpr, kind: fixed})
	names := b.lb.ServerNames
	if len(names) == 0 {
		return
	}
	var exact, suffix []string
	for _, n := range names {
		n = strings.ToLower(n)
		switch {
		case strings.HasPrefix(n, "*."):
			suffix = append(suffix, n[1:]) // ".example.com": one label or more before it
		case lbconf.IsIPv6(n):
			exact = append(exact, "["+n+"]")
		default:
			exact = append(exact, n)
		}
	}
	allow := []arg{w("deny"), w("deny_status"), w("421"), w("unless")}
	if len(exact) > 0 {
		allow = append(allow, cond(append([]string{"var(" + hostVar + ")", "-i", "-m", "str"}, exact...)...)...)
	}
	if len(suffix) > 0 {
		if len(exact) > 0 {
			allow = append(allow, or)
		}
		allow = append(allow, cond(append([]string{"var(" + hostVar + ")", "-i", "-m", "end"}, suffix...)...)...)
	}
	f.add("http-request", allow...)
}

// redirect sends plain-HTTP requests to https on the TLS port, at the
// checked Host (a listed server name when server_names is set). The
// location holds only the variable, an integer and the path+query.
func (b *builder) redirect(f *section) {
	t := b.lb.TLS
	if t == nil || !t.RedirectHTTP {
		return
	}
	port := ""
	if b.lb.Listen != 443 {
		port = ":" + strconv.Itoa(b.lb.Listen)
	}
	loc := arg{s: "https://%[var(" + hostVar + ")]" + port + "%[pathq]", kind: sample}
	f.add("http-request", append([]arg{w("redirect"), w("location"), loc, w("code"), w("301"), w("unless")}, cond("ssl_fc")...)...)
}
