package lang

import (
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

var lbSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "targets"}, {Name: "mode"}, {Name: "listen", Required: true}, {Name: "listen_addresses"}, {Name: "algorithm"},
		{Name: "server_names"}, {Name: "max_conn"}, {Name: "backends_from"},
		{Name: "forwarded_for"}, {Name: "health_path"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "health_check"}, {Type: "backend", LabelNames: []string{"name"}}, {Type: "tls"},
		{Type: "sticky_sessions"}, {Type: "rate_limit"}, {Type: "timeouts"}, {Type: "stats"}, {Type: "alerts"},
	},
}

var (
	lbTargets    = []string{"haproxy", "nginx"}
	lbAlgorithms = []string{"round_robin", "least_connections", "ip_hash", "weighted_round_robin"}
)

// Load balancer timeout defaults, applied at lowering so emitters never see
// a zero timeout.
var defaultTimeouts = schema.Timeouts{
	Connect:     schema.Duration(5 * time.Second),
	Client:      schema.Duration(30 * time.Second),
	Server:      schema.Duration(30 * time.Second),
	HTTPRequest: schema.Duration(10 * time.Second),
	KeepAlive:   schema.Duration(10 * time.Second),
	Queue:       schema.Duration(30 * time.Second),
}

func (l *loader) lowerLoadBalancer(blk *hcl.Block, m *schema.Model) (schema.LoadBalancer, bool) {
	lb := schema.LoadBalancer{Name: blk.Labels[0]}
	lb.Src.Block = blk.DefRange
	b, ok := l.open(blk.Body, lbSchema, &lb.Src, schema.Describe("load_balancer", lb.Name))
	if !ok {
		return lb, false
	}
	lb.Targets = lbTargets
	if b.c.Attributes["targets"] != nil {
		lb.Targets = b.targets()
	}
	lb.Mode = b.enum("mode", "http", "http", "tcp")
	lb.Listen = b.integer("listen", 0, 1, 65535)
	lb.ListenAddresses = b.strings("listen_addresses")
	lb.Algorithm = b.enum("algorithm", "round_robin", lbAlgorithms...)
	lb.ServerNames = b.strings("server_names")
	lb.MaxConn = b.integer("max_conn", 0, 0, 10000000)
	lb.ForwardedFor = b.boolean("forwarded_for", true)
	lb.HealthPath = b.str("health_path", "")
	if hb := b.single("health_check"); hb != nil {
		lb.HealthCheck = l.lowerHealthCheck(hb, lb.Name, lb.Mode)
	}
	for _, bb := range b.labeled("backend") {
		lb.Backends = append(lb.Backends, l.lowerBackend(bb, lb.Name))
	}
	if svc := b.ref("backends_from", "service"); svc != "" {
		if s := m.Service(svc); s != nil {
			lb.BackendsFrom = &schema.BackendsFrom{Service: svc, Namespace: m.Project.Namespace, Port: s.Port}
		}
	}
	if lb.BackendsFrom != nil && len(lb.Backends) > 0 {
		b.errorAt(*lb.Src.Range("backends_from"), "Conflicting backends",
			fmt.Sprintf("%s has both backend blocks and backends_from; use one or the other.", b.what))
	}
	if lb.BackendsFrom == nil && len(lb.Backends) == 0 && b.c.Attributes["backends_from"] == nil && !b.partial {
		b.errorAt(blk.DefRange, "Load balancer without backends",
			fmt.Sprintf("%s needs at least one backend \"name\" { address = \"host:port\" } block, or backends_from = service.NAME.", b.what))
	}
	if tb := b.single("tls"); tb != nil {
		lb.TLS = l.lowerTLS(tb, lb.Name, lb.Mode)
	}
	if sb := b.single("sticky_sessions"); sb != nil {
		lb.Sticky = l.lowerSticky(sb, lb.Name)
	}
	if rb := b.single("rate_limit"); rb != nil {
		lb.RateLimit = l.lowerRateLimit(rb, lb.Name)
	}
	lb.Timeouts = defaultTimeouts
	lb.Timeouts.Src.Block = blk.DefRange
	if tb := b.single("timeouts"); tb != nil {
		lb.Timeouts = l.lowerTimeouts(tb, lb.Name)
	}
	if sb := b.single("stats"); sb != nil {
		lb.Stats = l.lowerStats(sb, lb.Name)
	}
	lb.Alerts = l.lowerLBAlerts(b.single("alerts"), lb.Name)
	return lb, true
}

// targets reads the targets list: a non-empty subset of haproxy and nginx,
// sorted.
func (b *body) targets() []string {
	a := b.c.Attributes["targets"]
	list := b.strings("targets")
	seen := map[string]bool{}
	var out []string
	for _, t := range list {
		if !contains(lbTargets, t) {
			b.errorAt(a.Expr.Range(), "Invalid value",
				fmt.Sprintf("targets in %s may contain %q; got %q.%s", b.what, lbTargets, t, didYouMean(t, lbTargets)))
			return lbTargets
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		b.errorAt(a.Expr.Range(), "No targets", fmt.Sprintf("targets in %s must name at least one of %q.", b.what, lbTargets))
		return lbTargets
	}
	sort.Strings(out)
	return out
}

var healthCheckSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "path"}, {Name: "method"}, {Name: "host"}, {Name: "expect_status"},
	{Name: "interval"}, {Name: "timeout"}, {Name: "rise"}, {Name: "fall"},
}}

func (l *loader) lowerHealthCheck(blk *hcl.Block, lbName, mode string) *schema.HealthCheck {
	h := &schema.HealthCheck{}
	h.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, healthCheckSchema, &h.Src, fmt.Sprintf("health_check of load_balancer %q", lbName))
	def := "http"
	if mode == "tcp" {
		def = "tcp"
	}
	h.Type = b.enum("type", def, "http", "https", "tcp")
	if h.Type != "tcp" {
		h.Path = b.str("path", "/health")
		h.Method = b.enum("method", "GET", "GET", "HEAD", "OPTIONS")
		h.Host = b.str("host", "")
		h.ExpectStatus = b.integer("expect_status", 0, 100, 599)
		if len(h.Path) == 0 || h.Path[0] != '/' {
			b.errorAt(*h.Src.Range("path"), "Invalid health check path", fmt.Sprintf("The path of %s must start with \"/\"; got %q.", b.what, h.Path))
		}
	} else {
		for _, n := range []string{"path", "method", "host", "expect_status"} {
			if a := b.c.Attributes[n]; a != nil {
				b.errorAt(a.Expr.Range(), "Argument needs an HTTP check", fmt.Sprintf("%s applies only to http and https checks; %s is a tcp check.", n, b.what))
			}
		}
	}
	h.Interval = b.duration("interval", 5*time.Second, 100*time.Millisecond)
	h.Timeout = b.duration("timeout", 2*time.Second, 10*time.Millisecond)
	h.Rise = b.integer("rise", 2, 1, 100)
	h.Fall = b.integer("fall", 3, 1, 100)
	return h
}

var backendSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "address", Required: true}, {Name: "weight"}, {Name: "backup"}, {Name: "max_conn"},
}}

func (l *loader) lowerBackend(blk *hcl.Block, lbName string) schema.Backend {
	be := schema.Backend{Name: blk.Labels[0]}
	be.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, backendSchema, &be.Src, fmt.Sprintf("backend %q of load_balancer %q", be.Name, lbName))
	if a := b.c.Attributes["address"]; a != nil {
		if s := b.str("address", ""); s != "" {
			be.Host, be.Port, _ = b.hostPort(a, s)
		}
	}
	be.Weight = b.integer("weight", 100, 0, 256)
	be.Backup = b.boolean("backup", false)
	be.MaxConn = b.integer("max_conn", 0, 0, 1000000)
	return be
}

var tlsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "certificate", Required: true}, {Name: "key"}, {Name: "redirect_http"},
		{Name: "http_port"}, {Name: "http2"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "hsts"}},
}

var hstsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "max_age"}, {Name: "include_subdomains"}, {Name: "preload"},
}}

// lowerTLS reads the tls block; its defaults follow the mode: an HTTP load
// balancer redirects plain HTTP to https unless told otherwise, a TCP one
// cannot (it sees no requests), so redirect_http defaults to false there.
func (l *loader) lowerTLS(blk *hcl.Block, lbName, mode string) *schema.TLS {
	t := &schema.TLS{}
	t.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, tlsSchema, &t.Src, fmt.Sprintf("tls of load_balancer %q", lbName))
	t.Certificate = b.str("certificate", "")
	t.Key = b.str("key", t.Certificate)
	t.RedirectHTTP = b.boolean("redirect_http", mode == "http")
	t.HTTPPort = b.integer("http_port", 80, 1, 65535)
	t.HTTP2 = b.boolean("http2", false)
	if hb := b.single("hsts"); hb != nil {
		var src schema.Source // HSTS keeps no Source; ranges go to the tls block's
		hs, _ := l.open(hb.Body, hstsSchema, &src, fmt.Sprintf("hsts of load_balancer %q", lbName))
		t.HSTS = &schema.HSTS{
			MaxAge:            hs.duration("max_age", 365*24*time.Hour, time.Second),
			IncludeSubdomains: hs.boolean("include_subdomains", false),
			Preload:           hs.boolean("preload", false),
		}
		for k, r := range src.Attrs() {
			t.Src.Set("hsts."+k, r)
		}
	}
	return t
}

var stickySchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "cookie"}, {Name: "client_ip"}}}

func (l *loader) lowerSticky(blk *hcl.Block, lbName string) *schema.Sticky {
	s := &schema.Sticky{}
	s.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, stickySchema, &s.Src, fmt.Sprintf("sticky_sessions of load_balancer %q", lbName))
	s.Cookie = b.str("cookie", "")
	s.ClientIP = b.boolean("client_ip", false)
	switch {
	case s.Cookie != "" && s.ClientIP:
		b.errorAt(*s.Src.Range("client_ip"), "Conflicting arguments", fmt.Sprintf("%s sets both cookie and client_ip; choose one kind of affinity.", b.what))
	case s.Cookie == "" && !s.ClientIP && b.c.Attributes["cookie"] == nil && b.c.Attributes["client_ip"] == nil:
		b.errorAt(blk.DefRange, "Missing affinity", fmt.Sprintf("%s needs cookie = \"NAME\" or client_ip = true.", b.what))
	}
	return s
}

var rateLimitSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "requests_per_second", Required: true}, {Name: "burst"},
}}

func (l *loader) lowerRateLimit(blk *hcl.Block, lbName string) *schema.RateLimit {
	r := &schema.RateLimit{}
	r.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, rateLimitSchema, &r.Src, fmt.Sprintf("rate_limit of load_balancer %q", lbName))
	r.RequestsPerSecond = b.integer("requests_per_second", 1, 1, 1000000)
	r.Burst = b.integer("burst", r.RequestsPerSecond, 0, 10000000)
	return r
}

var timeoutsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "connect"}, {Name: "client"}, {Name: "server"}, {Name: "http_request"}, {Name: "keep_alive"}, {Name: "queue"},
}}

func (l *loader) lowerTimeouts(blk *hcl.Block, lbName string) schema.Timeouts {
	d := defaultTimeouts
	t := schema.Timeouts{}
	t.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, timeoutsSchema, &t.Src, fmt.Sprintf("timeouts of load_balancer %q", lbName))
	ms := time.Millisecond
	t.Connect = b.duration("connect", d.Connect.D(), ms)
	t.Client = b.duration("client", d.Client.D(), ms)
	t.Server = b.duration("server", d.Server.D(), ms)
	t.HTTPRequest = b.duration("http_request", d.HTTPRequest.D(), ms)
	t.KeepAlive = b.duration("keep_alive", d.KeepAlive.D(), ms)
	t.Queue = b.duration("queue", d.Queue.D(), ms)
	return t
}

var statsSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "listen", Required: true}, {Name: "path"}, {Name: "socket"}, {Name: "state_file"},
}}

func (l *loader) lowerStats(blk *hcl.Block, lbName string) *schema.Stats {
	s := &schema.Stats{}
	s.Src.Block = blk.DefRange
	b, _ := l.open(blk.Body, statsSchema, &s.Src, fmt.Sprintf("stats of load_balancer %q", lbName))
	s.Listen = b.integer("listen", 0, 1, 65535)
	s.Path = b.str("path", "/stats")
	s.Socket = b.str("socket", "")
	s.StateFile = b.str("state_file", "")
	return s
}
