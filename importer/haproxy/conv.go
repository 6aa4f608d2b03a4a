package haproxy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/haproxycfg"
	"github.com/nbac/nbac/importer/lbhcl"
)

// conv builds one load balancer from a frontend (or listen) section and
// its backend (the same section for listen).
type conv struct {
	f      *fileImport
	fe, be *proxy
	lb     *lbhcl.LB
	acls   map[string]*haproxycfg.Line
}

func (c *conv) defaultBackend() (string, *haproxycfg.Line) {
	var name string
	var at *haproxycfg.Line
	for _, l := range c.fe.lines() {
		if w := l.Words(); w[0] == "default_backend" && len(w) == 2 {
			name, at = w[1], l
		}
	}
	return name, at
}

func (c *conv) hasServers() bool {
	for _, l := range c.be.s.Lines {
		if l.Keyword() == "server" {
			return true
		}
	}
	return false
}

func (c *conv) isStats() bool {
	for _, l := range c.fe.s.Lines {
		if w := l.Words(); w[0] == "stats" && len(w) > 1 && (w[1] == "uri" || w[1] == "enable") {
			return true
		}
	}
	return false
}

// skip reports whether l must not be read (refused already).
func (c *conv) skip(l *haproxycfg.Line) bool { return c.f.done[l] }

func (c *conv) convert() *lbhcl.LB {
	name := c.fe.s.Name
	for _, p := range []string{"fe_", "ft_", "fe-", "ft-"} {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			name = name[len(p):]
			break
		}
	}
	label, ok := lbhcl.Label(name, "lb_")
	if !ok {
		c.f.r.NotImported(c.f.file, c.fe.s.Line, c.fe.s.Kind+" "+c.fe.s.Name, importer.OutOfRange, "Its name leaves no usable load_balancer label ([a-z][a-z0-9_]*).")
		return nil
	}
	c.lb = &lbhcl.LB{Name: lbhcl.Unique(label, c.f.taken), File: c.f.file, Line: c.fe.s.Line, Targets: []string{"haproxy"}}
	c.acls = map[string]*haproxycfg.Line{}
	mode := "tcp"
	for _, l := range c.fe.lines() {
		if w := l.Words(); w[0] == "mode" && len(w) == 2 && !c.skip(l) {
			switch w[1] {
			case "http", "tcp":
				mode = w[1]
				c.f.use(l)
			default:
				c.f.report(l, "mode", importer.OutOfRange, "nbac's mode is http or tcp.")
			}
		}
	}
	if mode == "tcp" { // HAProxy's default when no mode line says otherwise
		c.lb.Mode = "tcp"
	}
	c.frontend()
	c.backend()
	if mode == "http" && (c.lb.ForwardedFor == nil || !*c.lb.ForwardedFor) {
		no := false
		c.lb.ForwardedFor = &no
	} else if mode == "http" {
		c.lb.ForwardedFor = nil // true is nbac's default
	}
	return c.lb
}

// frontend reads the listening side: bind, redirects, timeouts, rate
// limits, stats, the health URI.
func (c *conv) frontend() {
	var binds []bind
	redirect := false
	for _, l := range c.fe.lines() {
		if c.skip(l) {
			continue
		}
		w := l.Words()
		switch {
		case w[0] == "bind" && len(w) >= 2:
			if b, ok := c.bind(l); ok {
				binds = append(binds, b)
			}
		case isHTTPSRedirect(w):
			redirect = true
			c.f.use(l)
		case w[0] == "maxconn" && len(w) == 2:
			if n, ok := c.f.intArg(l, w[1], 1, 10000000); ok {
				c.lb.MaxConn = n
				c.f.use(l)
			}
		case w[0] == "timeout" && len(w) == 3:
			c.timeout(l, w[1], w[2])
		case w[0] == "option" && len(w) == 2 && w[1] == "forwardfor":
			yes := true
			c.lb.ForwardedFor = &yes
			c.f.use(l)
		case w[0] == "monitor-uri" && len(w) == 2:
			c.lb.HealthPath = w[1]
			c.f.use(l)
		case w[0] == "acl" && len(w) >= 3:
			c.acls[w[1]] = l
		}
	}
	c.rateLimit()
	c.listeners(binds, redirect)
}

// bind is one bind line.
type bind struct {
	l     *haproxycfg.Line
	addrs []string // "" for every IPv4 address
	port  int
	ssl   bool
	crt   string
	h2    bool
}

func (c *conv) bind(l *haproxycfg.Line) (bind, bool) {
	w := l.Words()
	b := bind{l: l}
	for _, a := range strings.Split(w[1], ",") {
		host, port, ok := splitHostPort(a)
		if !ok {
			c.f.report(l, "bind "+w[1], importer.OutOfRange, "nbac listens on ADDRESS:PORT or :PORT (no ranges, UNIX sockets or interface names).")
			return b, false
		}
		if b.port != 0 && port != b.port {
			c.f.report(l, "bind "+w[1], importer.OutOfRange, "nbac listens on one port per bind line.")
			return b, false
		}
		b.port = port
		b.addrs = append(b.addrs, host)
	}
	for i := 2; i < len(w); i++ {
		switch w[i] {
		case "ssl":
			b.ssl = true
		case "crt":
			if i+1 < len(w) {
				b.crt = w[i+1]
				i++
			}
		case "alpn":
			if i+1 < len(w) {
				b.h2 = strings.Contains(w[i+1], "h2")
				i++
			}
		case "v4v6", "v6only":
		default:
			c.f.report(l, "bind option "+w[i], importer.NoEquivalent, "nbac writes its bind lines from the load_balancer's listen, listen_addresses and tls; this option is dropped.")
			if bindArity[w[i]] {
				i++
			}
		}
	}
	c.f.use(l)
	return b, true
}

// bindArity are bind options that take a value.
var bindArity = map[string]bool{
	"ciphers": true, "ciphersuites": true, "ca-file": true, "crl-file": true, "verify": true, "ssl-min-ver": true,
	"ssl-max-ver": true, "curves": true, "ecdhe": true, "name": true, "id": true, "process": true, "thread": true,
	"maxconn": true, "backlog": true, "mss": true, "interface": true, "namespace": true, "user": true, "group": true,
	"mode": true, "uid": true, "gid": true, "npn": true, "tcp-ut": true, "accept-netscaler-cip": true, "crt-list": true,
	"nice": true, "level": true, "severity-output": true, "proto": true, "ca-sign-file": true,
}

// splitHostPort reads ":80", "*:80", "0.0.0.0:80", "[::]:443", "::1:80"
// style addresses.
func splitHostPort(a string) (string, int, bool) {
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return "", 0, false
	}
	host, ps := a[:i], a[i+1:]
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, false
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	switch host {
	case "", "*":
		return "", port, true
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.String(), port, true
	}
	return "", 0, false
}

// listeners sets listen, listen_addresses and tls from the bind lines.
func (c *conv) listeners(binds []bind, redirect bool) {
	var main *bind
	for i := range binds {
		if binds[i].ssl && main == nil {
			main = &binds[i]
		}
	}
	if main == nil && len(binds) > 0 {
		main = &binds[0]
	}
	if main == nil {
		return
	}
	c.lb.Listen = main.port
	addrs := func(b *bind) {
		for _, a := range b.addrs {
			c.lb.ListenAddresses = lbhcl.AddListenAddress(c.lb.ListenAddresses, a)
		}
	}
	addrs(main)
	var plain *bind
	for i := range binds {
		b := &binds[i]
		switch {
		case b == main:
		case b.port == main.port && b.ssl == main.ssl:
			addrs(b)
		case main.ssl && !b.ssl && (plain == nil || plain.port == b.port):
			plain = b
		default:
			c.f.report(b.l, "bind", importer.NoEquivalent, fmt.Sprintf("nbac listens on one port (%d here)%s; this one is dropped.", main.port, map[bool]string{true: " plus the plain-HTTP redirect port", false: ""}[main.ssl]))
		}
	}
	c.lb.ListenAddresses = lbhcl.ListenAddresses(c.lb.ListenAddresses)
	if main.ssl {
		t := &lbhcl.TLS{Certificate: main.crt, Key: main.crt, HTTPPort: 80, HTTP2: main.h2}
		if main.crt == "" {
			c.f.report(main.l, "bind ssl", importer.OutOfRange, "nbac's tls needs one certificate file (ssl crt FILE); a crt-list or a directory is not imported.")
			return
		}
		no := false
		tcp := c.lb.Mode == "tcp"
		switch {
		case plain != nil && redirect && !tcp:
			t.HTTPPort = plain.port
		case plain != nil:
			c.f.report(plain.l, "bind", importer.NoEquivalent, "nbac serves plain HTTP beside TLS only to redirect it to https (in http mode); without a redirect in the source this listener is dropped.")
		}
		if !tcp && (plain == nil || !redirect) {
			t.RedirectHTTP = &no
		}
		if tcp && t.HTTP2 {
			t.HTTP2 = false // ALPN is HTTP's; nbac refuses http2 in tcp mode
			c.f.r.NotImported(c.f.file, main.l.Num, "bind option alpn", importer.OutOfRange, "nbac negotiates HTTP/2 only in http mode.")
		}
		c.lb.TLS = t
	}
}

// isHTTPSRedirect recognises `redirect scheme https [code 301] [if|unless
// !{ ssl_fc }]` and its http-request form.
func isHTTPSRedirect(w []string) bool {
	if len(w) >= 3 && w[0] == "redirect" && w[1] == "scheme" && w[2] == "https" {
		return true
	}
	return len(w) >= 4 && w[0] == "http-request" && w[1] == "redirect" && w[2] == "scheme" && w[3] == "https"
}

// timeouts maps HAProxy's timeout names to nbac's.
var timeouts = map[string]string{
	"connect": "connect", "client": "client", "server": "server", "queue": "queue",
	"http-request": "http_request", "http-keep-alive": "keep_alive",
}

func (c *conv) timeout(l *haproxycfg.Line, name, val string) {
	d, ok := parseDuration(val)
	if !ok || d <= 0 || d > 24*time.Hour {
		c.f.report(l, "timeout "+name, importer.OutOfRange, fmt.Sprintf("%q is not a duration nbac accepts (more than 0, at most 24h).", val))
		return
	}
	if name == "check" {
		c.healthCheck().Timeout = lbhcl.FormatDuration(d)
		c.f.use(l)
		return
	}
	n, ok := timeouts[name]
	if !ok || c.lb.Mode == "tcp" && (n == "http_request" || n == "keep_alive") {
		return // reported at the end unless another load balancer used it
	}
	c.lb.SetTimeout(n, lbhcl.FormatDuration(d))
	c.f.use(l)
}

// parseDuration reads HAProxy's time format: a number with an optional
// unit (us, ms, s, m, h, d); no unit means milliseconds.
func parseDuration(s string) (time.Duration, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n > 1<<31 {
		return 0, false
	}
	unit := map[string]time.Duration{"": time.Millisecond, "us": time.Microsecond, "ms": time.Millisecond,
		"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := unit[s[i:]]
	return time.Duration(n) * u, ok
}

func (c *conv) healthCheck() *lbhcl.HealthCheck {
	if c.lb.HealthCheck == nil {
		c.lb.HealthCheck = &lbhcl.HealthCheck{}
	}
	return c.lb.HealthCheck
}

// statsInto reads a section's stats lines into lb's stats block.
func (c *conv) statsInto(lb *lbhcl.LB) {
	var port int
	for _, l := range c.fe.s.Lines {
		if c.skip(l) {
			continue
		}
		w := l.Words()
		if w[0] == "bind" && len(w) >= 2 && port == 0 {
			if _, p, ok := splitHostPort(w[1]); ok && len(w) == 2 {
				port = p
				c.f.use(l)
			}
		}
		if w[0] == "stats" && len(w) >= 3 && w[1] == "uri" {
			if lb.Stats == nil {
				lb.Stats = &lbhcl.Stats{}
			}
			lb.Stats.Path = w[2]
			c.f.use(l)
		}
	}
	if port == 0 {
		c.f.r.NotImported(c.f.file, c.fe.s.Line, c.fe.s.Kind+" "+c.fe.s.Name, importer.NoEquivalent, "A stats section needs one plain bind :PORT to become nbac's stats listener.")
		lb.Stats = nil
		return
	}
	if lb.Stats == nil {
		lb.Stats = &lbhcl.Stats{}
	}
	lb.Stats.Listen = port
	if lb.Stats.Path == "" {
		c.f.r.NotImported(c.f.file, c.fe.s.Line, "stats uri", importer.OutOfRange, "HAProxy's default stats URI (/haproxy?stats) is not a path nbac accepts; the page moves to nbac's default, /stats.")
	}
}
