package validate

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// loadBalancers checks every load_balancer block.
func loadBalancers(m *schema.Model) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i := range m.LoadBalancers {
		diags = append(diags, LoadBalancer(m, &m.LoadBalancers[i])...)
	}
	return diags
}

// LoadBalancer checks one load_balancer block: every user string against the
// allow-list of its field (LB-REFERENCE.md, "Injection: the rule"), every
// number against its range, and the combinations a target rejects. The
// HAProxy and Nginx emitters call it again before printing, so a model that
// never went through Model (read back from model.json, built by a test)
// still cannot reach a configuration unchecked.
func LoadBalancer(m *schema.Model, lb *schema.LoadBalancer) hcl.Diagnostics {
	c := &lbChecker{m: m, lb: lb}
	c.top()
	c.healthCheck()
	c.backends()
	c.tls()
	c.sticky()
	c.rateLimit()
	c.timeouts()
	c.stats()
	c.targetRules()
	return c.diags
}

type lbChecker struct {
	m     *schema.Model
	lb    *schema.LoadBalancer
	diags hcl.Diagnostics
}

func (c *lbChecker) where(block string) string {
	if block == "" {
		return schema.Describe("load_balancer", c.lb.Name)
	}
	return schema.Describe("load_balancer", c.lb.Name) + " " + block
}

// fail records an error at attr of src: what is wrong, the rule, the fix.
func (c *lbChecker) fail(src schema.Source, block, attr, summary, detail string) {
	c.diags = append(c.diags, errorAt(src, attr, fmt.Sprintf("%s: %s", c.where(block), summary), detail))
}

// str checks a string value against rule; empty values are the caller's call.
func (c *lbChecker) str(src schema.Source, block, attr, val string, r lbRule) {
	if msg := r.check(val); msg != "" {
		c.fail(src, block, attr, fmt.Sprintf("invalid %s %s", attr, lbQuote(val)),
			fmt.Sprintf("%s must be %s; %s. Values reach HAProxy and Nginx configurations, so only this allow-list is accepted.", attr, r.what, msg))
	}
}

func (c *lbChecker) intRange(src schema.Source, block, attr string, v, lo, hi int) {
	if v < lo || v > hi {
		c.fail(src, block, attr, fmt.Sprintf("%s %d is out of range", attr, v),
			fmt.Sprintf("%s must be between %d and %d.", attr, lo, hi))
	}
}

// maxLBDuration bounds every load-balancer duration: HAProxy's timers
// overflow at 2^31 ms (about 24.8 days), and a day is already far beyond
// any sensible timeout or check interval.
const maxLBDuration = 24 * time.Hour

func (c *lbChecker) positive(src schema.Source, block, attr string, d schema.Duration) {
	switch {
	case d <= 0:
		c.fail(src, block, attr, fmt.Sprintf("%s must be a duration greater than zero", attr),
			fmt.Sprintf("Write a Go duration such as \"5s\" or \"1m30s\"; got %s.", d))
	case d.D() > maxLBDuration:
		c.fail(src, block, attr, fmt.Sprintf("%s %s is longer than 24h", attr, d),
			"Load-balancer timeouts and check intervals are at most 24h (HAProxy's timers overflow near 25 days).")
	}
}

func (c *lbChecker) enum(src schema.Source, block, attr, val string, allowed []string) {
	if slices.Contains(allowed, val) {
		return
	}
	detail := fmt.Sprintf("%s must be one of: %s.", attr, strings.Join(allowed, ", "))
	if s := lbSuggest(val, allowed); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	c.fail(src, block, attr, fmt.Sprintf("unknown %s %s", attr, lbQuote(val)), detail)
}

var (
	lbTargets    = []string{"haproxy", "nginx"}
	lbModes      = []string{"http", "tcp"}
	lbAlgorithms = []string{"round_robin", "least_connections", "ip_hash", "weighted_round_robin"}
	hcTypes      = []string{"http", "https", "tcp"}
	hcMethods    = []string{"GET", "HEAD", "OPTIONS"}
)

func (c *lbChecker) top() {
	lb := c.lb
	c.str(lb.Src, "", "name", lb.Name, identRule)
	if len(lb.Targets) == 0 {
		c.fail(lb.Src, "", "targets", "targets is empty", `Set targets = ["haproxy"], ["nginx"] or ["haproxy", "nginx"].`)
	}
	seen := map[string]bool{}
	for _, t := range lb.Targets {
		c.enum(lb.Src, "", "targets", t, lbTargets)
		if seen[t] {
			c.fail(lb.Src, "", "targets", fmt.Sprintf("target %q is listed twice", t), "List each target once.")
		}
		seen[t] = true
	}
	if lb.Mode != "" {
		c.enum(lb.Src, "", "mode", lb.Mode, lbModes)
	}
	if lb.Algorithm != "" {
		c.enum(lb.Src, "", "algorithm", lb.Algorithm, lbAlgorithms)
	}
	c.intRange(lb.Src, "", "listen", lb.Listen, 1, 65535)
	addrs := map[string]bool{}
	for _, a := range lb.ListenAddresses {
		c.str(lb.Src, "", "listen_addresses", a, listenAddrRule)
		if addrs[a] {
			c.fail(lb.Src, "", "listen_addresses", fmt.Sprintf("address %s is listed twice", lbQuote(a)), "List each address once.")
		}
		addrs[a] = true
	}
	for _, a := range lb.ListenAddresses {
		if listenAddrRule.check(a) != "" {
			continue // already reported
		}
		if wild := map[bool]string{true: "0.0.0.0", false: "::"}[!strings.Contains(a, ":")]; a != wild && addrs[wild] {
			c.fail(lb.Src, "", "listen_addresses", fmt.Sprintf("address %s is already covered by %s", lbQuote(a), wild),
				"The unspecified address binds every address of its family, and a second bind on the same port fails; remove "+lbQuote(a)+".")
		}
	}
	for _, n := range lb.ServerNames {
		c.str(lb.Src, "", "server_names", n, serverNameRule)
	}
	c.intRange(lb.Src, "", "max_conn", lb.MaxConn, 0, 10_000_000)
	if lb.HealthPath != "" {
		c.str(lb.Src, "", "health_path", lb.HealthPath, pathRule)
	}
	if c.tcp() {
		if lb.HealthPath != "" {
			c.fail(lb.Src, "", "health_path", "health_path needs mode = \"http\"", "A TCP load balancer cannot answer an HTTP path; remove health_path or use mode = \"http\".")
		}
		if len(lb.ServerNames) > 0 {
			c.fail(lb.Src, "", "server_names", "server_names needs mode = \"http\"", "A TCP load balancer does not see the Host header; remove server_names.")
		}
		for _, attr := range []string{"http_request", "keep_alive"} {
			if lb.Timeouts.Src.Has(attr) {
				c.fail(lb.Timeouts.Src, "timeouts", attr, attr+" needs mode = \"http\"", "This timeout applies to HTTP requests only; remove it from a TCP load balancer.")
			}
		}
		if lb.Src.Has("forwarded_for") && lb.ForwardedFor {
			c.fail(lb.Src, "", "forwarded_for", "forwarded_for needs mode = \"http\"", "X-Forwarded-For is an HTTP header; a TCP load balancer cannot add it.")
		}
	}
}

func (c *lbChecker) tcp() bool { return c.lb.Mode == "tcp" }

func (c *lbChecker) healthCheck() {
	hc := c.lb.HealthCheck
	if hc == nil {
		return
	}
	const blk = "health_check"
	c.enum(hc.Src, blk, "type", hc.Type, hcTypes)
	if hc.Type == "tcp" {
		for _, f := range []setFlag{{"path", hc.Path != ""}, {"method", hc.Method != ""}, {"host", hc.Host != ""}, {"expect_status", hc.ExpectStatus != 0}} {
			if attr := f.attr; f.set {
				c.fail(hc.Src, blk, attr, fmt.Sprintf("%s needs type = \"http\" or \"https\"", attr), "A TCP health check only opens a connection; remove "+attr+".")
			}
		}
	} else {
		if hc.Path != "" {
			c.str(hc.Src, blk, "path", hc.Path, healthURIRule)
		}
		if hc.Method != "" {
			c.enum(hc.Src, blk, "method", hc.Method, hcMethods)
		}
		if hc.Host != "" {
			c.str(hc.Src, blk, "host", hc.Host, hostRule)
		}
		if hc.ExpectStatus != 0 {
			c.intRange(hc.Src, blk, "expect_status", hc.ExpectStatus, 100, 599)
		}
	}
	c.positive(hc.Src, blk, "interval", hc.Interval)
	c.positive(hc.Src, blk, "timeout", hc.Timeout)
	c.intRange(hc.Src, blk, "rise", hc.Rise, 1, 1000)
	c.intRange(hc.Src, blk, "fall", hc.Fall, 1, 1000)
}

func (c *lbChecker) backends() {
	lb := c.lb
	if bf := lb.BackendsFrom; bf != nil {
		if len(lb.Backends) > 0 {
			c.fail(lb.Src, "", "backends_from", "backends_from and backend blocks are both set", "Use either backends_from = service.NAME or backend blocks, not both.")
		}
		c.str(lb.Src, "", "backends_from", bf.Service, dnsLabelRule)
		if bf.Namespace != "" {
			c.str(lb.Src, "", "backends_from", bf.Namespace, dnsLabelRule)
		}
		c.intRange(lb.Src, "", "backends_from", bf.Port, 1, 65535)
		if len(c.m.Services) > 0 && c.m.Service(bf.Service) == nil {
			c.fail(lb.Src, "", "backends_from", fmt.Sprintf("no service named %q", bf.Service), "backends_from must name a declared service block.")
		}
		return
	}
	if len(lb.Backends) == 0 {
		c.fail(lb.Src, "", "backend", "no backends", "Add at least one backend \"name\" { address = \"host:port\" } block, or backends_from = service.NAME.")
		return
	}
	names := map[string]bool{}
	primaries := 0
	for i := range lb.Backends {
		b := &lb.Backends[i]
		blk := schema.Describe("backend", b.Name)
		c.str(b.Src, blk, "name", b.Name, identRule)
		if names[b.Name] {
			c.fail(b.Src, blk, "name", fmt.Sprintf("backend %q is declared twice", b.Name), "Give each backend a unique name.")
		}
		names[b.Name] = true
		c.str(b.Src, blk, "address", b.Host, hostRule)
		c.intRange(b.Src, blk, "address", b.Port, 1, 65535)
		c.intRange(b.Src, blk, "weight", b.Weight, 0, 1_000_000)
		c.intRange(b.Src, blk, "max_conn", b.MaxConn, 0, 1_000_000)
		if !b.Backup {
			primaries++
		}
	}
	if primaries == 0 {
		c.fail(lb.Src, "", "backend", "every backend is a backup", "At least one backend must not set backup = true; backups take over only when the primaries are down.")
	}
}

func (c *lbChecker) tls() {
	t := c.lb.TLS
	if t == nil {
		return
	}
	const blk = "tls"
	c.str(t.Src, blk, "certificate", t.Certificate, filePathRule)
	// The key defaults to the certificate file at lowering: check it only
	// when it differs, so one bad path gives one diagnostic.
	if t.Key != "" && t.Key != t.Certificate {
		c.str(t.Src, blk, "key", t.Key, filePathRule)
	}
	if t.HTTPPort != 0 {
		c.intRange(t.Src, blk, "http_port", t.HTTPPort, 1, 65535)
	}
	if t.RedirectHTTP {
		hp := t.HTTPPort
		if hp == 0 {
			hp = 80
		}
		if hp == c.lb.Listen {
			c.fail(t.Src, blk, "http_port", fmt.Sprintf("http_port %d is also the TLS listen port", hp), "The plain-HTTP redirect listener needs its own port; set http_port to another port.")
		}
	}
	if c.tcp() {
		for _, f := range []setFlag{{"redirect_http", t.RedirectHTTP}, {"http2", t.HTTP2}, {"hsts", t.HSTS != nil}} {
			if attr := f.attr; f.set {
				c.fail(t.Src, blk, attr, attr+" needs mode = \"http\"", "A TCP load balancer can terminate TLS but cannot redirect, negotiate HTTP/2 or send HSTS; remove "+attr+".")
			}
		}
	}
	if h := t.HSTS; h != nil {
		if h.MaxAge.D().Seconds() < 1 {
			c.fail(t.Src, blk, "hsts", "hsts max_age must be at least 1s", "Set max_age to a duration such as \"8760h\" (one year).")
		}
		if h.Preload && (!h.IncludeSubdomains || h.MaxAge.D().Seconds() < 31536000) {
			c.fail(t.Src, blk, "hsts", "hsts preload needs include_subdomains and a max_age of at least one year", "Browsers' preload lists reject anything weaker; set include_subdomains = true and max_age = \"8760h\", or drop preload.")
		}
	}
}

func (c *lbChecker) sticky() {
	s := c.lb.Sticky
	if s == nil {
		return
	}
	const blk = "sticky_sessions"
	if s.Cookie != "" {
		c.str(s.Src, blk, "cookie", s.Cookie, cookieRule)
		if s.ClientIP {
			c.fail(s.Src, blk, "client_ip", "cookie and client_ip are both set", "Choose one kind of affinity: cookie = \"NAME\" or client_ip = true.")
		}
		if c.tcp() {
			c.fail(s.Src, blk, "cookie", "cookie affinity needs mode = \"http\"", "A TCP load balancer cannot read cookies; use client_ip = true.")
		}
	}
}

func (c *lbChecker) rateLimit() {
	r := c.lb.RateLimit
	if r == nil {
		return
	}
	const blk = "rate_limit"
	c.intRange(r.Src, blk, "requests_per_second", r.RequestsPerSecond, 1, 1_000_000)
	c.intRange(r.Src, blk, "burst", r.Burst, 0, 10_000_000)
	if c.tcp() {
		c.fail(r.Src, blk, "requests_per_second", "rate_limit needs mode = \"http\"", "The limit answers HTTP 429, which a TCP load balancer cannot send; remove rate_limit or use mode = \"http\".")
	}
}

func (c *lbChecker) timeouts() {
	t := c.lb.Timeouts
	const blk = "timeouts"
	c.positive(t.Src, blk, "connect", t.Connect)
	c.positive(t.Src, blk, "client", t.Client)
	c.positive(t.Src, blk, "server", t.Server)
	if !c.tcp() {
		c.positive(t.Src, blk, "http_request", t.HTTPRequest)
		c.positive(t.Src, blk, "keep_alive", t.KeepAlive)
	}
	c.positive(t.Src, blk, "queue", t.Queue)
}

func (c *lbChecker) stats() {
	s := c.lb.Stats
	if s == nil {
		return
	}
	const blk = "stats"
	c.intRange(s.Src, blk, "listen", s.Listen, 1, 65535)
	if s.Listen == c.lb.Listen {
		c.fail(s.Src, blk, "listen", fmt.Sprintf("stats listen %d is also the load balancer's listen port", s.Listen), "Give the stats endpoint its own port.")
	}
	if t := c.lb.TLS; t != nil && t.RedirectHTTP {
		hp := t.HTTPPort
		if hp == 0 {
			hp = 80
		}
		if s.Listen == hp {
			c.fail(s.Src, blk, "listen", fmt.Sprintf("stats listen %d is also the TLS redirect port", s.Listen), "Give the stats endpoint its own port.")
		}
	}
	if s.Path != "" {
		c.str(s.Src, blk, "path", s.Path, pathRule)
	}
	if s.Socket != "" {
		c.str(s.Src, blk, "socket", s.Socket, socketRule)
	}
	if s.StateFile != "" {
		c.str(s.Src, blk, "state_file", s.StateFile, filePathRule)
		if s.Socket == "" {
			c.fail(s.Src, blk, "state_file", "state_file needs socket", "Server state is saved through the admin socket; set socket as well.")
		}
	}
}

// targetRules refuses what a target rejects or would silently misread.
func (c *lbChecker) targetRules() {
	lb := c.lb
	haproxy := slices.Contains(lb.Targets, "haproxy")
	nginx := slices.Contains(lb.Targets, "nginx")
	for i := range lb.Backends {
		b := &lb.Backends[i]
		blk := schema.Describe("backend", b.Name)
		if haproxy && b.Weight > 256 {
			c.fail(b.Src, blk, "weight", fmt.Sprintf("haproxy: weight %d is above the maximum of 256", b.Weight), "HAProxy weights are 0..256; scale the weights of this load balancer down.")
		}
		if nginx && b.Weight < 1 {
			c.fail(b.Src, blk, "weight", fmt.Sprintf("nginx: weight %d is not accepted", b.Weight), "Nginx weights start at 1 (weight=0 is invalid there); remove the backend, or drop nginx from targets to keep a drained HAProxy server.")
		}
	}
	if nginx && lb.MaxConn > 65535 {
		c.fail(lb.Src, "", "max_conn", fmt.Sprintf("nginx: max_conn %d is above the maximum of 65535", lb.MaxConn),
			"Nginx enforces max_conn with limit_conn, which counts at most 65535 connections per listener; lower max_conn or drop nginx from targets.")
	}
	if nginx && hashBalanced(lb) {
		for i := range lb.Backends {
			b := &lb.Backends[i]
			if b.Backup {
				why := "algorithm = \"ip_hash\""
				if lb.Sticky != nil {
					why = "sticky_sessions"
				}
				c.fail(b.Src, schema.Describe("backend", b.Name), "backup",
					"nginx: backup cannot be combined with "+why,
					"Nginx open source balances "+why+" by hashing, and its hash methods reject backup servers. Remove backup, or use another algorithm without sticky_sessions, or drop nginx from targets.")
			}
		}
	}
}

// hashBalanced reports whether Nginx will balance lb by a hash (ip_hash or
// any stickiness), which rejects backup servers.
func hashBalanced(lb *schema.LoadBalancer) bool {
	return lb.Algorithm == "ip_hash" || lb.Sticky != nil
}

// setFlag pairs an attribute with whether it was set, so checks over several
// attributes report in a fixed order.
type setFlag struct {
	attr string
	set  bool
}
