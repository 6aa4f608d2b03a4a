package nginx

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/tufanbarisyildirim/gonginx/config"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/lbhcl"
)

// site is what one server block says.
type site struct {
	srv      *server
	listens  []listen
	names    []string
	cert     string
	key      string
	http2    bool
	proxy    *upstream
	redirect bool
	health   string
	stub     string
	limit    config.IDirective // limit_req in force
	limitSrc *source
	lines    []config.IDirective // directives in force, outermost first
}

type listen struct {
	d    config.IDirective
	addr string // "" for every IPv4 address
	port int
	ssl  bool
}

// build turns the server blocks into load balancers.
func (e *estate) build() []*lbhcl.LB {
	var proxies, redirects, stats []*site
	for _, srv := range e.servers {
		st := e.site(srv)
		switch {
		case st == nil:
		case st.proxy != nil:
			proxies = append(proxies, st)
		case st.redirect:
			redirects = append(redirects, st)
		case st.stub != "":
			stats = append(stats, st)
		default:
			e.report(srv.src, srv.d, "server block", importer.NoEquivalent, "It neither proxies to an upstream (proxy_pass to an upstream block), nor only redirects to https, nor only serves stub_status, so nbac has nothing to make of it.")
		}
	}
	var lbs []*lbhcl.LB
	byUpstream := map[*upstream]*lbhcl.LB{}
	for _, st := range proxies {
		if lb := byUpstream[st.proxy]; lb != nil {
			e.report(st.srv.src, st.srv.d, "server block", importer.NoEquivalent,
				fmt.Sprintf("A second server block for upstream %q: nbac's load_balancer %q listens on one port (plus its https redirect); this one is not imported.", st.proxy.name, lb.Name))
			continue
		}
		lb := e.loadBalancer(st)
		if lb == nil {
			continue
		}
		byUpstream[st.proxy] = lb
		lbs = append(lbs, lb)
	}
	for _, st := range redirects {
		e.attachRedirect(st, lbs)
	}
	for _, lb := range lbs {
		if lb.TLS != nil && lb.TLS.RedirectHTTP == nil && lb.Mode != "tcp" && lb.TLS.HTTPPort == 0 {
			no := false
			lb.TLS.RedirectHTTP = &no
		}
		if lb.TLS != nil && lb.TLS.HTTPPort == 0 {
			lb.TLS.HTTPPort = 80
		}
	}
	for _, st := range stats {
		if len(lbs) != 1 {
			e.report(st.srv.src, st.srv.d, "stub_status server", importer.NoEquivalent,
				fmt.Sprintf("nbac's stats listener belongs to one load_balancer; these files import %d, so attach a stats block by hand.", len(lbs)))
			continue
		}
		lbs[0].Stats = &lbhcl.Stats{Listen: st.listens[0].port, Path: st.stub}
	}
	return lbs
}

// site reads a server block and its locations.
func (e *estate) site(srv *server) *site {
	st := &site{srv: srv, lines: append([]config.IDirective{}, srv.inherited...)}
	s := srv.src
	for _, d := range srv.inherited {
		if d.GetName() == "limit_req" {
			st.limit, st.limitSrc = d, s
		}
	}
	var root config.IDirective // location / (http)
	for _, d := range children(srv.d) {
		ps, variable := params(d)
		switch d.GetName() {
		case "listen":
			if l, ok := e.listen(s, d, ps); ok {
				st.listens = append(st.listens, l)
			}
		case "server_name":
			for _, n := range ps {
				if n != "_" && n != "" && !variable {
					st.names = append(st.names, n)
				}
			}
			if !variable {
				e.use(d)
			}
		case "ssl_certificate":
			if len(ps) == 1 {
				st.cert = ps[0]
				e.use(d)
			}
		case "ssl_certificate_key":
			if len(ps) == 1 {
				st.key = ps[0]
				e.use(d)
			}
		case "http2":
			if len(ps) == 1 && ps[0] == "on" {
				st.http2 = true
				e.use(d)
			}
		case "return":
			if isHTTPSRedirect(ps) {
				st.redirect = true
				e.use(d)
			}
		case "proxy_pass":
			if srv.ctx == "stream" {
				st.proxy = e.proxyTarget(s, d, ps, "stream")
			}
		case "limit_req":
			st.limit, st.limitSrc = d, s
		case "location":
			e.location(st, d, ps, &root)
		default:
			if d.GetBlock() == nil {
				st.lines = append(st.lines, d)
			}
		}
	}
	if root != nil {
		for _, d := range children(root) {
			ps, _ := params(d)
			switch d.GetName() {
			case "proxy_pass":
				st.proxy = e.proxyTarget(s, d, ps, "http")
			case "return":
				if isHTTPSRedirect(ps) {
					st.redirect = true
					e.use(d)
				}
			case "limit_req":
				st.limit, st.limitSrc = d, s
			default:
				if d.GetBlock() == nil {
					st.lines = append(st.lines, d)
				}
			}
		}
		if st.proxy != nil || st.redirect {
			e.use(root)
		}
	}
	if len(st.listens) == 0 {
		if st.proxy != nil || st.redirect || st.stub != "" {
			e.report(s, srv.d, "server block without listen", importer.OutOfRange, "nbac needs the port a server listens on; Nginx's default (80, or 8000 without root) is not assumed.")
		}
		return nil
	}
	e.use(srv.d)
	return st
}

// location reads a location block: `/` holds the proxy, `= /path { return
// 200; }` is the health path, and a stub_status location the stats page.
func (e *estate) location(st *site, d config.IDirective, ps []string, root *config.IDirective) {
	kids := children(d)
	switch {
	case len(ps) == 1 && ps[0] == "/":
		*root = d
	case len(ps) == 2 && ps[0] == "=" && len(kids) == 1 && kids[0].GetName() == "return":
		if rp, _ := params(kids[0]); len(rp) >= 1 && rp[0] == "200" {
			st.health = ps[1]
			e.use(d)
			e.use(kids[0])
		}
	case len(kids) == 1 && kids[0].GetName() == "stub_status" && (len(ps) == 1 || len(ps) == 2 && ps[0] == "="):
		st.stub = ps[len(ps)-1]
		e.use(d)
		e.use(kids[0])
	}
}

// isHTTPSRedirect recognises `return 301 https://$host$request_uri;` (or
// 302/307/308, $server_name, $http_host).
func isHTTPSRedirect(ps []string) bool {
	if len(ps) != 2 {
		return false
	}
	switch ps[0] {
	case "301", "302", "307", "308":
	default:
		return false
	}
	switch ps[1] {
	case "https://$host$request_uri", "https://$server_name$request_uri", "https://$http_host$request_uri":
		return true
	}
	return false
}

// listen reads `listen [ADDR:]PORT [ssl] [http2] [default_server] ...`.
func (e *estate) listen(s *source, d config.IDirective, ps []string) (listen, bool) {
	l := listen{d: d}
	if len(ps) == 0 {
		return l, false
	}
	a := ps[0]
	host, port := "", a
	if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, port = a[:i], a[i+1:]
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		e.report(s, d, "listen "+a, importer.OutOfRange, "nbac listens on [ADDRESS:]PORT (no UNIX sockets or bare addresses).")
		return l, false
	}
	l.port = n
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host != "" && host != "*" {
		ip, err := netip.ParseAddr(host)
		if err != nil {
			e.report(s, d, "listen "+a, importer.OutOfRange, "nbac listens on IP addresses, not host names.")
			return l, false
		}
		l.addr = ip.String()
	}
	for _, f := range ps[1:] {
		switch f {
		case "ssl":
			l.ssl = true
		case "http2":
			// 1.22 syntax; read below with the server
		case "default_server", "ipv6only=on":
		default:
			e.r.NotImported(s.file, s.line(d), "listen option "+f, importer.NoEquivalent, "nbac writes its listen lines from listen, listen_addresses and tls; this option is dropped.")
		}
	}
	e.use(d)
	return l, true
}

// proxyTarget finds the upstream proxy_pass names.
func (e *estate) proxyTarget(s *source, d config.IDirective, ps []string, ctx string) *upstream {
	if len(ps) != 1 {
		return nil
	}
	name := ps[0]
	if ctx == "http" {
		if !strings.HasPrefix(name, "http://") {
			e.report(s, d, "proxy_pass "+name, importer.OutOfRange, "nbac proxies plain HTTP to an upstream block (proxy_pass http://NAME).")
			return nil
		}
		name = strings.TrimPrefix(name, "http://")
	}
	u := e.upstreams[ctx+" "+name]
	if u == nil {
		e.report(s, d, "proxy_pass "+ps[0], importer.OutOfRange, "nbac proxies to an upstream block; this target is an address or a variable. Declare it as an upstream to import it.")
		return nil
	}
	e.use(d)
	return u
}

// attachRedirect makes a redirect-only server the https redirect of the
// TLS load balancer with a common server name, or of the only one.
func (e *estate) attachRedirect(st *site, lbs []*lbhcl.LB) {
	var match, tls []*lbhcl.LB
	for _, lb := range lbs {
		if lb.TLS == nil {
			continue
		}
		tls = append(tls, lb)
		for _, n := range st.names {
			for _, m := range lb.ServerNames {
				if n == m {
					match = append(match, lb)
				}
			}
		}
	}
	if len(match) == 0 && len(tls) == 1 {
		match = tls
	}
	if len(match) == 0 {
		e.report(st.srv.src, st.srv.d, "https redirect server", importer.NoEquivalent, "nbac redirects to https as part of a TLS load_balancer; no imported TLS server block matches this one.")
		return
	}
	lb := match[0]
	lb.TLS.HTTPPort = st.listens[0].port
	for _, l := range st.listens[1:] {
		if l.port != lb.TLS.HTTPPort {
			e.report(st.srv.src, l.d, "listen", importer.NoEquivalent, "nbac redirects from one port.")
		}
	}
}
