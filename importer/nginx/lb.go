package nginx

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tufanbarisyildirim/gonginx/config"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/lbhcl"
)

// loadBalancer builds the block for a proxying server block and its
// upstream.
func (e *estate) loadBalancer(st *site) *lbhcl.LB {
	u := st.proxy
	label, ok := lbhcl.Label(u.name, "lb_")
	if !ok {
		e.report(u.src, u.d, "upstream "+u.name, importer.OutOfRange, "Its name leaves no usable load_balancer label ([a-z][a-z0-9_]*).")
		return nil
	}
	lb := &lbhcl.LB{Name: lbhcl.Unique(label, e.taken), File: st.srv.src.file, Line: st.srv.src.line(st.srv.d), Targets: []string{"nginx"}}
	if st.srv.ctx == "stream" {
		lb.Mode = "tcp"
	}
	main := st.listens[0]
	for _, l := range st.listens {
		if l.ssl {
			main = l
			break
		}
	}
	lb.Listen = main.port
	for _, l := range st.listens {
		switch {
		case l.port == main.port && l.ssl == main.ssl:
			lb.ListenAddresses = lbhcl.AddListenAddress(lb.ListenAddresses, l.addr)
		default:
			e.report(st.srv.src, l.d, "listen", importer.NoEquivalent,
				fmt.Sprintf("nbac listens on one port (%d here); a plain-HTTP port beside TLS only redirects, in its own server block (return 301 https://$host$request_uri).", main.port))
		}
	}
	lb.ListenAddresses = lbhcl.ListenAddresses(lb.ListenAddresses)
	if main.ssl {
		if st.cert == "" {
			e.report(st.srv.src, main.d, "listen ssl", importer.OutOfRange, "nbac's tls needs ssl_certificate in the server block.")
			return nil
		}
		key := st.key
		if key == "" {
			key = st.cert
		}
		http2 := st.http2
		for _, p := range main.d.GetParameters() {
			http2 = http2 || p.Value == "http2"
		}
		lb.TLS = &lbhcl.TLS{Certificate: st.cert, Key: key, HTTP2: http2}
	} else if st.cert != "" {
		e.r.NotImported(st.srv.src.file, st.srv.src.line(st.srv.d), "ssl_certificate", importer.NoEquivalent, "No listen of this server has ssl.")
	}
	if lb.Mode != "tcp" {
		lb.ServerNames = st.names
		lb.HealthPath = st.health
	}
	e.upstream(lb, u)
	e.settings(lb, st)
	if st.limit != nil {
		e.rateLimit(lb, st)
	}
	return lb
}

// settings reads the timeouts and forwarding headers in force.
func (e *estate) settings(lb *lbhcl.LB, st *site) {
	ff := false
	var proto []config.IDirective // X-Forwarded-Proto $scheme
	for _, d := range st.lines {
		ps, variable := params(d)
		name := d.GetName()
		if name == "proxy_set_header" && len(ps) == 2 {
			switch strings.ToLower(ps[0]) {
			case "x-forwarded-for":
				ff = ps[1] == "$proxy_add_x_forwarded_for"
				if ff {
					e.use(d)
				}
			case "host":
				if ps[1] == "$host" || ps[1] == "$http_host" {
					e.use(d)
				}
			case "x-forwarded-proto":
				if ps[1] == "$scheme" {
					proto = append(proto, d)
				}
			}
			continue
		}
		t, ok := nginxTimeouts[name]
		if !ok || len(ps) != 1 || variable {
			continue
		}
		if lb.Mode == "tcp" && t != "connect" && name != "proxy_timeout" || lb.Mode != "tcp" && name == "proxy_timeout" {
			continue
		}
		dur, ok := parseDuration(ps[0])
		if !ok || dur <= 0 || dur > 24*time.Hour {
			e.report(st.srv.src, d, name, importer.OutOfRange, fmt.Sprintf("%q is not a duration nbac accepts (more than 0, at most 24h).", ps[0]))
			continue
		}
		if name == "proxy_timeout" {
			lb.SetTimeout("client", lbhcl.FormatDuration(dur))
			lb.SetTimeout("server", lbhcl.FormatDuration(dur))
		} else {
			lb.SetTimeout(t, lbhcl.FormatDuration(dur))
		}
		e.use(d)
	}
	if lb.Mode != "tcp" && !ff {
		lb.ForwardedFor = &ff
	}
	for _, d := range proto {
		if ff {
			e.use(d)
		} else {
			e.report(st.srv.src, d, "proxy_set_header X-Forwarded-Proto", importer.NoEquivalent,
				"nbac sets X-Forwarded-Proto together with X-Forwarded-For (forwarded_for); without proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for it sets neither.")
		}
	}
}

// nginxTimeouts maps Nginx's timeout directives to nbac's timeouts (nbac
// writes proxy_read_timeout and proxy_send_timeout from server, and
// client_body_timeout and send_timeout from client).
var nginxTimeouts = map[string]string{
	"proxy_connect_timeout": "connect", "proxy_read_timeout": "server", "proxy_send_timeout": "server",
	"client_body_timeout": "client", "send_timeout": "client", "client_header_timeout": "http_request",
	"keepalive_timeout": "keep_alive", "proxy_timeout": "client",
}

// parseDuration reads Nginx's time format: a number and an optional unit
// (ms, s, m, h, d; no unit is seconds), or several ("1m30s").
func parseDuration(s string) (time.Duration, bool) {
	units := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i > 9 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:i])
		s = s[i:]
		j := 0
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		u := time.Second
		if j > 0 {
			var ok bool
			if u, ok = units[s[:j]]; !ok {
				return 0, false
			}
		}
		s = s[j:]
		total += time.Duration(n) * u
	}
	return total, true
}

// rateLimit reads `limit_req zone=Z [burst=B] [nodelay]` with its zone.
func (e *estate) rateLimit(lb *lbhcl.LB, st *site) {
	d := st.limit
	ps, _ := params(d)
	var zname string
	burst, nodelay := 0, false
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p, "zone="):
			zname = strings.TrimPrefix(p, "zone=")
		case strings.HasPrefix(p, "burst="):
			burst, _ = strconv.Atoi(strings.TrimPrefix(p, "burst="))
		case p == "nodelay":
			nodelay = true
		}
	}
	z := e.zones[zname]
	if z == nil || !z.ok {
		e.report(st.limitSrc, d, "limit_req", importer.OutOfRange, "Its limit_req_zone is missing, or not a per-client rate in whole requests per second.")
		return
	}
	lb.RateLimit = &lbhcl.RateLimit{RequestsPerSecond: z.rps, Burst: burst}
	e.use(d)
	e.use(z.d)
	if !nodelay && burst > 0 {
		e.r.NotImported(st.limitSrc.file, st.limitSrc.line(d), "limit_req without nodelay", importer.OutOfRange, "Nginx delayed the burst; nbac admits it at once (nodelay).")
	}
	status := "503"
	for _, x := range st.lines {
		if x.GetName() == "limit_req_status" {
			if xs, _ := params(x); len(xs) == 1 {
				status = xs[0]
				if status == "429" {
					e.use(x)
				}
			}
		}
	}
	if status != "429" {
		e.r.NotImported(st.limitSrc.file, st.limitSrc.line(d), "limit_req_status "+status, importer.OutOfRange, "nbac answers a client over its rate limit with 429.")
	}
}

// limitReqZone reads `limit_req_zone $binary_remote_addr zone=NAME:SIZE
// rate=Nr/s` (or r/m in whole seconds).
func (e *estate) limitReqZone(s *source, d config.IDirective) {
	ps, _ := params(d)
	z := &zone{src: s, d: d}
	var name string
	okKey := len(ps) > 0 && (ps[0] == "$binary_remote_addr" || ps[0] == "$remote_addr")
	for _, p := range ps[min(1, len(ps)):] {
		switch {
		case strings.HasPrefix(p, "zone="):
			name, _, _ = strings.Cut(strings.TrimPrefix(p, "zone="), ":")
		case strings.HasSuffix(p, "r/s") && strings.HasPrefix(p, "rate="):
			z.rps, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "rate="), "r/s"))
		case strings.HasSuffix(p, "r/m") && strings.HasPrefix(p, "rate="):
			if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "rate="), "r/m")); err == nil && n%60 == 0 {
				z.rps = n / 60
			}
		}
	}
	z.ok = okKey && z.rps >= 1
	if name != "" {
		e.zones[name] = z
	}
}
