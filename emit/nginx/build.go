package nginx

import (
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/schema"
)

const target = lbconf.Nginx

// StreamModule is the Debian path of the TCP (stream) module, a dynamic
// module in package libnginx-mod-stream.
const StreamModule = "/usr/lib/nginx/modules/ngx_stream_module.so"

type builder struct {
	m       *schema.Model
	lb      *schema.LoadBalancer
	servers []lbconf.Server
	http    bool
	c       conf
	diags   hcl.Diagnostics
}

// Names nbac gives to the shared-memory zones, upstream and variables of one
// load balancer; the lb name is an identifier, so these are too.
func upstream(lb *schema.LoadBalancer) string    { return "nbac_" + lb.Name }
func rateZone(lb *schema.LoadBalancer) string    { return "nbac_" + lb.Name + "_rate" }
func connZone(lb *schema.LoadBalancer) string    { return "nbac_" + lb.Name + "_conn" }
func affinityVar(lb *schema.LoadBalancer) string { return "$nbac_" + lb.Name + "_affinity" }

func build(m *schema.Model, lb *schema.LoadBalancer) (*conf, hcl.Diagnostics) {
	b := &builder{m: m, lb: lb, servers: lbconf.Servers(m, lb), http: lbconf.Mode(lb) == "http"}
	b.c.header = []string{lbconf.Header(lb),
		"A whole nginx.conf: run it with nginx -c /ABS/PATH/FILE.conf -p PREFIX/ (the pid file lives under PREFIX)."}
	b.warnings()
	root := b.c.root()
	root.addw("pid", lb.Name+".pid")
	root.addw("error_log", "stderr")
	if !b.http {
		root.addw("load_module", StreamModule)
	}
	wc := 1024
	if lb.MaxConn > 0 {
		// Each proxied connection holds a client and an upstream socket.
		wc = max(wc, 2*lb.MaxConn)
	}
	// Setting the file limit explicitly also keeps nginx from warning when
	// worker_connections exceeds the shell's ulimit -n.
	root.add("worker_rlimit_nofile", wi(2*wc))
	root.open("events").add("worker_connections", wi(wc))
	if b.http {
		b.httpBlock(root)
	} else {
		if lb.Stats != nil {
			b.statsOnlyHTTP(root)
		}
		b.streamBlock(root)
	}
	return &b.c, b.diags
}

func (b *builder) warn(src schema.Source, block, attr, summary, detail string) {
	b.diags = append(b.diags, lbconf.Warn(b.lb, src, block, attr, target, summary, detail))
}

// warnings records every feature that Nginx open source approximates.
func (b *builder) warnings() {
	lb := b.lb
	if hc := lb.HealthCheck; hc != nil {
		b.warn(lb.Src, "", "health_check", "active health checks are NGINX Plus only; passive checks emitted",
			"Nginx open source marks a server failed after fall = "+strconv.Itoa(hc.Fall)+" failed requests (errors, timeouts, 502/503/504) "+
				"and retries it after fail_timeout = interval x fall = "+failTimeout(hc)+
				"; type, path, method, host, expect_status, rise and timeout are not used. HAProxy checks actively.")
	}
	if s := lb.Sticky; s != nil {
		if s.Cookie != "" {
			b.warn(s.Src, "sticky_sessions", "cookie", "cookie stickiness is NGINX Plus only; hashing on the cookie instead",
				"Nginx open source cannot insert a cookie: it hashes (consistently) on the value of an application cookie named "+
					s.Cookie+" when the request carries one, and on the client address otherwise. Clients stay on one server only while the "+
					"backend set is unchanged. HAProxy inserts "+s.Cookie+" itself.")
		}
		if lbconf.Algorithm(lb) == "least_connections" {
			b.warn(lb.Src, "", "algorithm", "least_connections is replaced by hashing for sticky_sessions",
				"An Nginx upstream has one balancing method; with sticky_sessions it is a consistent hash, so least_connections does not apply.")
		}
	}
	if lb.MaxConn > 0 {
		b.warn(lb.Src, "", "max_conn", "max_conn refuses excess connections with 503",
			"Nginx limits concurrent connections per listener (limit_conn "+strconv.Itoa(lb.MaxConn)+") and answers 503 beyond it, and sizes "+
				"worker_connections for it; HAProxy queues excess connections instead.")
	}
	for _, s := range b.servers {
		if s.MaxConn > 0 {
			b.warn(s.Src, "backend", "max_conn", "a backend's max_conn has no queue in Nginx open source",
				"Nginx emits max_conns="+strconv.Itoa(s.MaxConn)+" for backend "+s.Name+"; when every server is at its limit the request fails "+
					"(502) instead of waiting in a queue as in HAProxy.")
		}
		if s.IsName {
			blk, attr := "backend", "address"
			if lb.BackendsFrom != nil {
				blk, attr = "", "backends_from"
			}
			b.warn(s.Src, blk, attr, "host name "+s.Host+" is resolved once, at start",
				"Nginx open source resolves upstream host names when it loads the configuration: it refuses to start if "+s.Host+
					" does not resolve, and does not follow later DNS changes (re-resolving is NGINX Plus only). Use IP addresses, "+
					"or reload Nginx when the name changes. HAProxy starts anyway (init-addr last,libc,none).")
		}
	}
	if lb.Timeouts.Src.Has("queue") {
		b.warn(lb.Timeouts.Src, "timeouts", "queue", "timeouts.queue has no Nginx equivalent",
			"Nginx open source has no request queue, so queue is only used by HAProxy.")
	}
	if s := lb.Stats; s != nil {
		if s.Socket != "" {
			b.warn(s.Src, "stats", "socket", "Nginx has no runtime API; socket is HAProxy-only",
				"Nginx open source cannot change backends without a reload, so `nbac lb` drives HAProxy only; Nginx gets a stub_status endpoint.")
		}
		if s.StateFile != "" {
			b.warn(s.Src, "stats", "state_file", "state_file is HAProxy-only", "Nginx keeps no server state across reloads.")
		}
		b.warn(s.Src, "stats", "listen", "stats are stub_status counters only",
			"Nginx open source reports connection and request totals (stub_status), not per-server statistics or Prometheus metrics.")
	}
}

// failTimeout is how long a failed server is left alone: interval x fall,
// the time HAProxy would take to mark it down, rounded up to whole seconds
// (Nginx reads fail_timeout in seconds and rejects "ms").
func failTimeout(hc *schema.HealthCheck) string {
	d := (hc.Interval.D()*time.Duration(hc.Fall) + time.Second - 1).Truncate(time.Second)
	return lbconf.Duration(schema.Duration(d))
}

func (b *builder) httpBlock(root block) {
	lb := b.lb
	h := root.open("http")
	h.addw("access_log", "/dev/stdout")
	if r := lb.RateLimit; r != nil {
		h.add("limit_req_zone", v("$binary_remote_addr"), w("zone="+rateZone(lb)+":10m"), w("rate="+strconv.Itoa(r.RequestsPerSecond)+"r/s"))
		h.addw("limit_req_status", "429")
	}
	if lb.MaxConn > 0 {
		h.add("limit_conn_zone", v("$server_port"), w("zone="+connZone(lb)+":1m"))
	}
	if s := lb.Sticky; s != nil && s.Cookie != "" {
		mp := h.open("map", v("$cookie_"+s.Cookie), v(affinityVar(lb)))
		mp.add("", txt(""), v("$binary_remote_addr"))
		mp.add("", w("default"), v("$cookie_"+s.Cookie))
	}
	b.upstream(h, "$binary_remote_addr")
	if t := lb.TLS; t != nil && t.RedirectHTTP {
		rs := h.open("server")
		b.listenOn(rs, lbconf.HTTPPort(t), false, false)
		b.serverNames(rs)
		// $host is the Host without its port, lower-cased and checked by
		// Nginx (400 for a malformed one), IPv6 literals in brackets;
		// with server_names set only a listed name reaches this server.
		loc := "https://$host$request_uri"
		if lb.Listen != 443 {
			loc = "https://$host:" + strconv.Itoa(lb.Listen) + "$request_uri"
		}
		// Nginx lets some malformed Hosts through ("[::1", "%41"), which
		// would make a malformed Location: refuse them with 400.
		rs.open("if", hostCheck...).add("return", w("400"))
		rs.add("return", w("301"), x(loc))
		b.refuseOtherHosts(h, lbconf.HTTPPort(t), false)
	}
	b.refuseOtherHosts(h, lb.Listen, lb.TLS != nil)
	s := h.open("server")
	b.listen(s)
	b.serverNames(s)
	b.tls(s)
	t := lb.Timeouts
	s.addw("client_header_timeout", lbconf.Duration(t.HTTPRequest))
	s.addw("client_body_timeout", lbconf.Duration(t.Client))
	s.addw("send_timeout", lbconf.Duration(t.Client))
	s.addw("keepalive_timeout", lbconf.Duration(t.KeepAlive))
	if lb.MaxConn > 0 {
		s.add("limit_conn", w(connZone(lb)), wi(lb.MaxConn))
	}
	if tl := lb.TLS; tl != nil && tl.HSTS != nil {
		s.add("add_header", w("Strict-Transport-Security"), txt(hstsValue(tl.HSTS)), w("always"))
	}
	b.healthLocation(s)
	l := s.open("location", w("/"))
	if r := lb.RateLimit; r != nil {
		if r.Burst > 0 {
			l.addw("limit_req", "zone="+rateZone(lb), "burst="+strconv.Itoa(r.Burst), "nodelay")
		} else { // nginx rejects burst=0; no burst is its default
			l.addw("limit_req", "zone="+rateZone(lb))
		}
	}
	l.add("proxy_pass", w("http://"+upstream(lb)))
	l.add("proxy_set_header", w("Host"), v("$host"))
	if lb.ForwardedFor {
		l.add("proxy_set_header", w("X-Forwarded-For"), v("$proxy_add_x_forwarded_for"))
		l.add("proxy_set_header", w("X-Forwarded-Proto"), v("$scheme"))
	}
	l.addw("proxy_connect_timeout", lbconf.Duration(t.Connect))
	l.addw("proxy_read_timeout", lbconf.Duration(t.Server))
	l.addw("proxy_send_timeout", lbconf.Duration(t.Server))
	if lb.HealthCheck != nil {
		l.addw("proxy_next_upstream", "error", "timeout", "http_502", "http_503", "http_504")
	}
	if lb.Stats != nil {
		b.statsServer(h)
	}
}

// healthLocation is the health_path endpoint, answered by Nginx itself.
func (b *builder) healthLocation(s block) {
	if b.lb.HealthPath == "" {
		return
	}
	hl := s.open("location", w("="), w(b.lb.HealthPath))
	hl.addw("access_log", "off")
	hl.addw("default_type", "text/plain")
	hl.addw("return", "200", "ok")
}

func (b *builder) statsOnlyHTTP(root block) {
	h := root.open("http")
	h.addw("access_log", "/dev/stdout")
	b.statsServer(h)
}

func (b *builder) statsServer(h block) {
	st := b.lb.Stats
	s := h.open("server")
	s.add("listen", wi(st.Listen))
	s.open("location", w("="), w(lbconf.StatsPath(st))).add("stub_status")
}

func (b *builder) streamBlock(root block) {
	lb := b.lb
	st := root.open("stream")
	if lb.MaxConn > 0 {
		st.add("limit_conn_zone", v("$server_port"), w("zone="+connZone(lb)+":1m"))
	}
	b.upstream(st, "$remote_addr")
	s := st.open("server")
	b.listen(s)
	b.tls(s)
	if lb.MaxConn > 0 {
		s.add("limit_conn", w(connZone(lb)), wi(lb.MaxConn))
	}
	s.add("proxy_pass", w(upstream(lb)))
	s.addw("proxy_connect_timeout", lbconf.Duration(lb.Timeouts.Connect))
	// One idle timeout covers both directions in stream.
	s.addw("proxy_timeout", lbconf.Duration(max(lb.Timeouts.Client, lb.Timeouts.Server)))
	if lb.HealthCheck != nil {
		s.addw("proxy_next_upstream", "on")
	}
}

// upstream writes the server group; addrVar is the client-address variable
// of the context ($binary_remote_addr in http, $remote_addr in stream).
func (b *builder) upstream(parent block, addrVar string) {
	lb := b.lb
	u := parent.open("upstream", w(upstream(lb)))
	// A zone shares failure counts and max_conns across workers.
	u.add("zone", w(upstream(lb)), w("64k"))
	switch {
	case lb.Sticky != nil && lb.Sticky.Cookie != "":
		u.add("hash", v(affinityVar(lb)), w("consistent"))
	case lb.Sticky != nil || lbconf.Algorithm(lb) == "ip_hash":
		// The whole address, hashed consistently: what HAProxy's
		// `balance source` + `hash-type consistent` does (ip_hash would
		// hash only an IPv4 /24).
		u.add("hash", v(addrVar), w("consistent"))
	case lbconf.Algorithm(lb) == "least_connections":
		u.add("least_conn")
	}
	hc := lb.HealthCheck
	for _, s := range b.servers {
		args := []string{s.Addr(), "weight=" + strconv.Itoa(s.Weight)}
		if hc != nil {
			args = append(args, "max_fails="+strconv.Itoa(hc.Fall),
				"fail_timeout="+failTimeout(hc))
		}
		if s.MaxConn > 0 {
			args = append(args, "max_conns="+strconv.Itoa(s.MaxConn))
		}
		if s.Backup {
			args = append(args, "backup")
		}
		u.addw("server", args...)
	}
}

// hostCheck is `if ($host !~ "RE")`: true unless $host is a host name or a
// bracketed IPv6 literal ($host is lower-cased and has no port). '[[]' and
// '[]]' are a literal '[' and ']' without backslashes.
var hostCheck = []arg{{s: "($host", kind: fixed}, {s: "!~", kind: fixed}, {s: `"^([[][0-9a-f:.]+[]]|[a-z0-9._-]+)$")`, kind: fixed}}

// fixedTexts are the only strings printed as the fixed kind.
var fixedTexts = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range hostCheck {
		m[a.s] = true
	}
	return m
}()

func (b *builder) listen(s block) { b.listenOn(s, b.lb.Listen, b.lb.TLS != nil, false) }

// listenOn writes one listen per listen address on port (the TLS options
// when tls is set). Nginx binds an IPv6 address IPv6-only by default.
func (b *builder) listenOn(s block, port int, tls, defaultServer bool) {
	for _, bd := range lbconf.Binds(b.lb, port) {
		args := []string{bd.String()}
		if bd.Addr == "" {
			args = []string{strconv.Itoa(port)} // every IPv4 address
		}
		if tls {
			args = append(args, "ssl")
			if b.lb.TLS.HTTP2 {
				args = append(args, "http2") // the 1.22 syntax
			}
		}
		if defaultServer {
			args = append(args, "default_server")
		}
		s.addw("listen", args...)
	}
}

// refuseOtherHosts adds, when server_names is set, the default server of
// port: it answers a Host that no name matches with 421 (Misdirected
// Request), as the HAProxy config does, instead of letting Nginx hand it to
// the first server of the port.
func (b *builder) refuseOtherHosts(h block, port int, tls bool) {
	if len(b.lb.ServerNames) == 0 {
		return
	}
	s := h.open("server")
	b.listenOn(s, port, tls, true)
	if tls {
		b.tls(s)
		if hs := b.lb.TLS.HSTS; hs != nil {
			s.add("add_header", w("Strict-Transport-Security"), txt(hstsValue(hs)), w("always"))
		}
	}
	// The health endpoint answers whatever the Host (a prober often
	// sends an IP), as HAProxy's monitor-uri does. A server-level return
	// would run before any location, so the refusal moves into location /.
	if port == b.lb.Listen && b.lb.HealthPath != "" {
		b.healthLocation(s)
		s.open("location", w("/")).addw("return", "421")
		return
	}
	s.addw("return", "421")
}

func (b *builder) serverNames(s block) {
	if len(b.lb.ServerNames) > 0 && b.http {
		names := make([]string, len(b.lb.ServerNames))
		for i, n := range b.lb.ServerNames {
			names[i] = n
			if lbconf.IsIPv6(n) {
				names[i] = "[" + n + "]" // as $host holds it
			}
		}
		s.addw("server_name", names...)
	}
}

func (b *builder) tls(s block) {
	t := b.lb.TLS
	if t == nil {
		return
	}
	key := t.Key
	if key == "" {
		key = t.Certificate
	}
	s.addw("ssl_certificate", t.Certificate)
	s.addw("ssl_certificate_key", key)
	s.addw("ssl_protocols", "TLSv1.2", "TLSv1.3")
}

// hstsValue builds the header from typed fields only.
func hstsValue(h *schema.HSTS) string {
	parts := []string{"max-age=" + strconv.FormatInt(int64(h.MaxAge.D().Seconds()), 10)}
	if h.IncludeSubdomains {
		parts = append(parts, "includeSubDomains")
	}
	if h.Preload {
		parts = append(parts, "preload")
	}
	return strings.Join(parts, "; ")
}
