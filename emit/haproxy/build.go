package haproxy

import (
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/schema"
)

const target = lbconf.HAProxy

// builder holds one load balancer's configuration while it is assembled.
type builder struct {
	m       *schema.Model
	lb      *schema.LoadBalancer
	servers []lbconf.Server
	http    bool
	cfg     config
	diags   hcl.Diagnostics
}

// Names of the sections nbac writes, prefixed so that they never collide
// with HAProxy keywords.
func feName(lb *schema.LoadBalancer) string    { return "fe_" + lb.Name }
func beName(lb *schema.LoadBalancer) string    { return "be_" + lb.Name }
func statsName(lb *schema.LoadBalancer) string { return "stats_" + lb.Name }

func build(m *schema.Model, lb *schema.LoadBalancer) (*config, hcl.Diagnostics) {
	b := &builder{m: m, lb: lb, servers: lbconf.Servers(m, lb), http: lbconf.Mode(lb) == "http"}
	b.cfg.header = []string{lbconf.Header(lb), "Check: haproxy -dW -c -f FILE"}
	b.global()
	b.defaults()
	b.frontend()
	b.backend()
	b.stats()
	return &b.cfg, b.diags
}

func (b *builder) warn(src schema.Source, block, attr, summary, detail string) {
	b.diags = append(b.diags, lbconf.Warn(b.lb, src, block, attr, target, summary, detail))
}

func (b *builder) global() {
	g := b.cfg.section("global", "")
	g.addw("log", "stdout", "format", "raw", "local0")
	if b.lb.MaxConn > 0 {
		g.add("maxconn", wi(b.lb.MaxConn))
	}
	if s := b.lb.Stats; s != nil && s.Socket != "" {
		// level admin is what `nbac lb` needs; mode 600 keeps it to the
		// HAProxy user.
		if strings.HasPrefix(s.Socket, "/") {
			g.addw("stats", "socket", s.Socket, "mode", "600", "level", "admin")
		} else { // ipv4@/ipv6@ on loopback (validated): no file mode
			g.addw("stats", "socket", s.Socket, "level", "admin")
		}
		g.addw("stats", "timeout", "30s")
		if s.StateFile != "" {
			g.addw("server-state-file", s.StateFile)
		}
	}
	if b.lb.TLS != nil {
		g.addw("ssl-default-bind-options", "ssl-min-ver", "TLSv1.2")
	}
}

func (b *builder) defaults() {
	d := b.cfg.section("defaults", "")
	t := b.lb.Timeouts
	if b.http {
		d.addw("mode", "http")
		d.addw("log", "global")
		d.addw("option", "httplog")
	} else {
		d.addw("mode", "tcp")
		d.addw("log", "global")
		d.addw("option", "tcplog")
	}
	d.addw("timeout", "connect", lbconf.Duration(t.Connect))
	d.addw("timeout", "client", lbconf.Duration(t.Client))
	d.addw("timeout", "server", lbconf.Duration(t.Server))
	d.addw("timeout", "queue", lbconf.Duration(t.Queue))
	if b.http {
		d.addw("timeout", "http-request", lbconf.Duration(t.HTTPRequest))
		d.addw("timeout", "http-keep-alive", lbconf.Duration(t.KeepAlive))
	}
	// A request whose server fails (connection refused, or closed with no
	// answer, as when the server dies mid-request) goes to another server:
	// up to 3 retries, each redispatched. Only idempotent requests are
	// retried once sent (see backend). Not response-timeout: with it,
	// HAProxy 2.6 sometimes closed the client connection without any
	// answer when every primary died at once (TestBackupTakesOver...), and
	// it would resend slow requests.
	d.addw("retries", "3")
	d.addw("option", "redispatch", "1")
	if b.http {
		d.addw("retry-on", "conn-failure", "empty-response")
	}
	if s := b.lb.Stats; s != nil && s.StateFile != "" {
		d.addw("load-server-state-from-file", "global")
	}
}

func (b *builder) frontend() {
	lb := b.lb
	f := b.cfg.section("frontend", feName(lb))
	var tlsArgs []string
	if t := lb.TLS; t != nil {
		tlsArgs = []string{"ssl", "crt", t.Certificate}
		if t.HTTP2 {
			tlsArgs = append(tlsArgs, "alpn", "h2,http/1.1")
		}
		if t.Key != "" && t.Key != t.Certificate {
			b.warn(t.Src, "tls", "key", "key is not used: HAProxy reads the key from the certificate file",
				"HAProxy's `crt` file must hold the certificate and its private key together (PEM bundle); "+
					"nbac emits `crt "+t.Certificate+"` and ignores key = \""+t.Key+"\" for HAProxy.")
		}
	}
	b.binds(f, lb.Listen, tlsArgs)
	if t := lb.TLS; t != nil && t.RedirectHTTP {
		b.binds(f, lbconf.HTTPPort(t), nil)
	}
	if !b.http {
		f.addw("default_backend", beName(lb))
		return
	}
	if lb.HealthPath != "" {
		// Answered by HAProxy itself, 503 when no server is usable.
		f.addw("monitor-uri", lb.HealthPath)
		f.add("monitor", append([]arg{w("fail"), w("if")}, cond("nbsrv("+beName(lb)+")", "lt", "1")...)...)
	}
	b.hosts(f)
	b.redirect(f)
	if r := lb.RateLimit; r != nil {
		b.rateLimit(f, r)
	}
	if lb.ForwardedFor {
		f.addw("option", "forwardfor")
		if lb.TLS != nil {
			f.add("http-request", append([]arg{w("set-header"), w("X-Forwarded-Proto"), w("https"), w("if")}, cond("ssl_fc")...)...)
			f.add("http-request", append([]arg{w("set-header"), w("X-Forwarded-Proto"), w("http"), w("unless")}, cond("ssl_fc")...)...)
		} else {
			f.addw("http-request", "set-header", "X-Forwarded-Proto", "http")
		}
	}
	if t := lb.TLS; t != nil && t.HSTS != nil {
		// http-after-response also reaches the answers HAProxy writes
		// itself (503 with no server, 429, 421), which http-response
		// does not.
		f.add("http-after-response", append([]arg{w("set-header"), w("Strict-Transport-Security"), arg{s: hstsValue(t.HSTS), kind: text}, w("if")}, cond("ssl_fc")...)...)
	}
	f.addw("default_backend", beName(lb))
}

// binds writes one bind per listen address on port. An IPv6 address binds
// IPv6 only (v6only), so "::" next to "0.0.0.0" does not collide.
func (b *builder) binds(f *section, port int, extra []string) {
	for _, bd := range lbconf.Binds(b.lb, port) {
		args := []string{bd.String()}
		if bd.V6 {
			args = append(args, "v6only")
		}
		f.addw("bind", append(args, extra...)...)
	}
}

// rateLimit admits at most 10*R+B requests per client address in any
// sliding 10 s window (HAProxy has no leaky bucket; LB-REFERENCE.md). Only
// admitted requests are counted (gpc0 is incremented after the deny rule,
// which ends the processing of a denied request), so a client sending
// faster than the limit still gets the limit: about R+B/10 per second.
// Counting every request (http_req_rate) kept a client that never slowed
// below the limit locked out for good.
func (b *builder) rateLimit(f *section, r *schema.RateLimit) {
	limit := 10*r.RequestsPerSecond + r.Burst
	f.addw("stick-table", "type", "ipv6", "size", "1m", "expire", "60s", "store", "gpc0_rate(10s)")
	f.addw("http-request", "track-sc0", "src")
	f.add("http-request", append([]arg{w("deny"), w("deny_status"), w("429"), w("if")}, cond("sc_gpc0_rate(0)", "ge", strconv.Itoa(limit))...)...)
	f.addw("http-request", "sc-inc-gpc0(0)")
	b.warn(r.Src, "rate_limit", "burst", "the rate limit is a 10 s sliding window",
		"HAProxy counts the requests it admitted per client over a sliding window and has no burst queue: requests_per_second = "+
			strconv.Itoa(r.RequestsPerSecond)+" with burst = "+strconv.Itoa(r.Burst)+" is enforced as at most "+
			strconv.Itoa(limit)+" admitted requests per 10 s, answered with 429 beyond that.")
}

// hstsValue builds the header from typed fields only.
func hstsValue(h *schema.HSTS) string {
	v := "max-age=" + strconv.FormatInt(int64(h.MaxAge.D().Seconds()), 10)
	if h.IncludeSubdomains {
		v += "; includeSubDomains"
	}
	if h.Preload {
		v += "; preload"
	}
	return v
}

func (b *builder) backend() {
	lb := b.lb
	be := b.cfg.section("backend", beName(lb))
	switch lbconf.Algorithm(lb) {
	case "least_connections":
		be.addw("balance", "leastconn")
	case "ip_hash":
		be.addw("balance", "source")
		be.addw("hash-type", "consistent")
	default: // round_robin, weighted_round_robin: both honour weights
		be.addw("balance", "roundrobin")
	}
	if b.http {
		// A request that was sent may have had an effect: resend only
		// idempotent methods (as Nginx's proxy_next_upstream does).
		be.add("http-request", append([]arg{w("disable-l7-retry"), w("unless")}, cond("method", "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE")...)...)
	}
	cookie := ""
	if s := lb.Sticky; s != nil {
		if s.Cookie != "" {
			cookie = s.Cookie
			args := []string{cookie, "insert", "indirect", "nocache", "httponly"}
			if lb.TLS != nil {
				args = append(args, "secure")
			}
			be.addw("cookie", args...)
		} else {
			be.addw("stick-table", "type", "ipv6", "size", "1m", "expire", "30m")
			be.addw("stick", "on", "src")
		}
	}
	if lbconf.HasBackup(b.servers) {
		// Nginx shares load between all backups; make HAProxy do the same.
		be.addw("option", "allbackups")
		if lb.HealthCheck == nil {
			b.warn(lb.Src, "", "backend", "backup servers need a health_check",
				"HAProxy only hands traffic to a backup when the primaries are marked down, which takes an active health check "+
					"(or `nbac lb disable`); add a health_check block.")
		}
	}
	hc := lb.HealthCheck
	if hc != nil {
		b.healthCheck(be, hc)
	}
	for _, s := range b.servers {
		args := []string{s.Name, s.Addr(), "weight", strconv.Itoa(s.Weight)}
		if s.MaxConn > 0 {
			args = append(args, "maxconn", strconv.Itoa(s.MaxConn))
		}
		if s.Backup {
			args = append(args, "backup")
		}
		if hc != nil {
			args = append(args, "check")
		}
		if cookie != "" {
			args = append(args, "cookie", s.Name)
		}
		// A name that does not resolve yet must not stop HAProxy from
		// starting: try the saved state, then the resolver, then start
		// the server without an address.
		args = append(args, "init-addr", "last,libc,none")
		be.addw("server", args...)
	}
}

func (b *builder) healthCheck(be *section, hc *schema.HealthCheck) {
	if hc.Type == "http" || hc.Type == "https" {
		be.addw("option", "httpchk")
		method := hc.Method
		if method == "" {
			method = "GET"
		}
		path := hc.Path
		if path == "" {
			path = "/"
		}
		send := []string{"send", "meth", method, "uri", path}
		if hc.Host != "" {
			send = append(send, "ver", "HTTP/1.1", "hdr", "Host", hc.Host)
		}
		be.addw("http-check", send...)
		if hc.ExpectStatus != 0 {
			be.addw("http-check", "expect", "status", strconv.Itoa(hc.ExpectStatus))
		}
	}
	be.addw("timeout", "check", lbconf.Duration(hc.Timeout))
	ds := []string{"inter", lbconf.Duration(hc.Interval), "rise", strconv.Itoa(hc.Rise), "fall", strconv.Itoa(hc.Fall)}
	if hc.Type == "https" {
		// The check speaks TLS to the server; no data travels on it and
		// the model names no CA, so the certificate is not verified.
		ds = append(ds, "check-ssl", "verify", "none")
		if hc.Host != "" && !lbconf.IsIP(hc.Host) {
			ds = append(ds, "check-sni", hc.Host) // servers picking a certificate by SNI
		}
	}
	be.addw("default-server", ds...)
}

func (b *builder) stats() {
	s := b.lb.Stats
	if s == nil {
		return
	}
	f := b.cfg.section("frontend", statsName(b.lb))
	f.addw("bind", ":"+strconv.Itoa(s.Listen))
	f.addw("mode", "http")
	if !b.http {
		f.addw("option", "httplog")
		f.addw("timeout", "http-request", lbconf.Duration(b.lb.Timeouts.Client))
	}
	path := lbconf.StatsPath(s)
	if path != "/metrics" {
		f.add("http-request", append([]arg{w("use-service"), w("prometheus-exporter"), w("if")}, cond("path", "/metrics")...)...)
	}
	f.addw("stats", "enable")
	f.addw("stats", "uri", path)
	f.addw("stats", "refresh", "10s")
	f.add("stats", w("show-legends"))
}
