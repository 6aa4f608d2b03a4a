package validate

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/schema"
)

func TestLoadBalancerValid(t *testing.T) {
	lb := lbtest.Base("edge")
	lb.HealthCheck = lbtest.HealthCheck()
	lb.TLS = &schema.TLS{Certificate: "/etc/ssl/private/edge.pem", RedirectHTTP: true, HTTP2: true,
		HSTS: &schema.HSTS{MaxAge: lbtest.D("8760h"), IncludeSubdomains: true, Preload: true}}
	lb.Listen = 443
	lb.Sticky = &schema.Sticky{Cookie: "SERVERID"}
	lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 100, Burst: 20}
	lb.Stats = &schema.Stats{Listen: 8404, Path: "/stats", Socket: "/run/haproxy/edge.sock", StateFile: "/var/lib/haproxy/edge.state"}
	lb.ServerNames = []string{"app.example.com", "*.example.org", "10.0.0.1"}
	lb.ListenAddresses = []string{"0.0.0.0", "::"}
	lb.HealthPath = "/healthz"
	lb.Backends[1].Host = "2001:db8::1"
	lb.HealthCheck.Path = "/ready?deep=1&x=y"
	if d := Model(lbtest.Model(lb)); len(d) != 0 {
		t.Fatalf("unexpected diagnostics: %v", d)
	}
	for _, sock := range []string{"ipv4@127.0.0.1:9999", "ipv6@[::1]:9999"} {
		lb.Stats.Socket = sock
		if d := Model(lbtest.Model(lb)); len(d) != 0 {
			t.Fatalf("socket %q: %v", sock, d)
		}
	}
}

// TestHostileStrings puts every hostile string into every string field and
// expects an error diagnostic at that field's attribute.
func TestHostileStrings(t *testing.T) {
	if n := len(lbtest.Hostile); n < 40 {
		t.Fatalf("hostile table has %d strings, want at least 40", n)
	}
	for _, f := range lbtest.Fields() {
		ok := lbtest.Base("edge")
		f.Set(&ok, f.OK)
		if d := Model(lbtest.Model(ok)); len(d) != 0 {
			t.Errorf("%s = %q (the control) is rejected: %v", f.Name, f.OK, d)
		}
		for _, h := range lbtest.Hostile {
			lb := lbtest.Base("edge")
			f.Set(&lb, h)
			diags := Model(lbtest.Model(lb))
			want := f.At(&lb)
			if !hasErrorAt(diags, want) {
				t.Errorf("%s = %q: no error at %v; got %v", f.Name, h, want, diags)
			}
		}
	}
}

func hasErrorAt(diags hcl.Diagnostics, r *hcl.Range) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil && r != nil && *d.Subject == *r {
			return true
		}
	}
	return false
}

// TestRules covers each non-string rule: the summary says what broke, the
// subject is the attribute.
func TestRules(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(lb *schema.LoadBalancer)
		at      func(lb *schema.LoadBalancer) *hcl.Range
		summary string
	}{
		{"listen 0", func(lb *schema.LoadBalancer) { lb.Listen = 0 }, lbAt("listen"), "listen 0 is out of range"},
		{"listen 65536", func(lb *schema.LoadBalancer) { lb.Listen = 65536 }, lbAt("listen"), "out of range"},
		{"listen address not canonical", func(lb *schema.LoadBalancer) { lb.ListenAddresses = []string{"0:0::1"} }, lbAt("listen_addresses"), `invalid listen_addresses "0:0::1"`},
		{"listen address mapped", func(lb *schema.LoadBalancer) { lb.ListenAddresses = []string{"::ffff:10.0.0.1"} }, lbAt("listen_addresses"), "invalid listen_addresses"},
		{"listen address twice", func(lb *schema.LoadBalancer) { lb.ListenAddresses = []string{"::1", "::1"} }, lbAt("listen_addresses"), "listed twice"},
		{"listen address covered", func(lb *schema.LoadBalancer) { lb.ListenAddresses = []string{"::", "::1"} }, lbAt("listen_addresses"), `"::1" is already covered by ::`},
		{"no targets", func(lb *schema.LoadBalancer) { lb.Targets = nil }, lbAt("targets"), "targets is empty"},
		{"duplicate target", func(lb *schema.LoadBalancer) { lb.Targets = []string{"nginx", "nginx"} }, lbAt("targets"), "listed twice"},
		{"algorithm typo", func(lb *schema.LoadBalancer) { lb.Algorithm = "round_robbin" }, lbAt("algorithm"), "unknown algorithm"},
		{"no backends", func(lb *schema.LoadBalancer) { lb.Backends = nil }, lbAt("backend"), "no backends"},
		{"all backup", func(lb *schema.LoadBalancer) { lb.Backends[0].Backup, lb.Backends[1].Backup = true, true }, lbAt("backend"), "every backend is a backup"},
		{"duplicate backend", func(lb *schema.LoadBalancer) { lb.Backends[1].Name = "app1" }, beAt(1, "name"), "declared twice"},
		{"backend port", func(lb *schema.LoadBalancer) { lb.Backends[0].Port = 0 }, beAt(0, "address"), "out of range"},
		{"haproxy weight", func(lb *schema.LoadBalancer) { lb.Backends[0].Weight = 300 }, beAt(0, "weight"), "haproxy: weight 300 is above the maximum of 256"},
		{"nginx weight 0", func(lb *schema.LoadBalancer) { lb.Backends[0].Weight = 0 }, beAt(0, "weight"), "nginx: weight 0 is not accepted"},
		{"nginx global maxconn", func(lb *schema.LoadBalancer) { lb.MaxConn = 70000 }, lbAt("max_conn"), "nginx: max_conn 70000 is above the maximum of 65535"},
		{"negative maxconn", func(lb *schema.LoadBalancer) { lb.Backends[0].MaxConn = -1 }, beAt(0, "max_conn"), "out of range"},
		{"nginx backup + ip_hash", func(lb *schema.LoadBalancer) { lb.Algorithm = "ip_hash"; lb.Backends[1].Backup = true }, beAt(1, "backup"), "backup cannot be combined with algorithm"},
		{"nginx backup + sticky", func(lb *schema.LoadBalancer) {
			lb.Sticky = &schema.Sticky{Cookie: "SID"}
			lb.Backends[1].Backup = true
		}, beAt(1, "backup"), "backup cannot be combined with sticky_sessions"},
		{"both backends", func(lb *schema.LoadBalancer) {
			lb.BackendsFrom = &schema.BackendsFrom{Service: "api", Namespace: "shop", Port: 8000}
		}, lbAt("backends_from"), "both set"},
		{"unknown service", func(lb *schema.LoadBalancer) {
			lb.Backends = nil
			lb.BackendsFrom = &schema.BackendsFrom{Service: "apj", Namespace: "shop", Port: 8000}
		}, lbAt("backends_from"), `no service named "apj"`},
		{"interval 0", func(lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck(); lb.HealthCheck.Interval = 0 }, hcAt("interval"), "greater than zero"},
		{"rise 0", func(lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck(); lb.HealthCheck.Rise = 0 }, hcAt("rise"), "out of range"},
		{"fall 0", func(lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck(); lb.HealthCheck.Fall = 0 }, hcAt("fall"), "out of range"},
		{"expect 700", func(lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.ExpectStatus = 700
		}, hcAt("expect_status"), "out of range"},
		{"tcp check with path", func(lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck(); lb.HealthCheck.Type = "tcp" }, hcAt("path"), `path needs type = "http"`},
		{"method typo", func(lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck(); lb.HealthCheck.Method = "get" }, hcAt("method"), "unknown method"},
		{"timeout 0", func(lb *schema.LoadBalancer) { lb.Timeouts.Connect = 0 }, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Timeouts.Src.Range("connect") }, "connect must be a duration greater than zero"},
		{"timeout 25 days", func(lb *schema.LoadBalancer) { lb.Timeouts.Server = lbtest.D("600h") }, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Timeouts.Src.Range("server") }, "server 600h0m0s is longer than 24h"},
		{"rate 0", func(lb *schema.LoadBalancer) {
			lb.RateLimit = &schema.RateLimit{Src: lbtest.Src("requests_per_second")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.RateLimit.Src.Range("requests_per_second") }, "out of range"},
		{"tcp rate limit", func(lb *schema.LoadBalancer) {
			lb.Mode, lb.ForwardedFor = "tcp", false
			lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 1, Src: lbtest.Src("requests_per_second")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.RateLimit.Src.Range("requests_per_second") }, "rate_limit needs mode"},
		{"tcp cookie", func(lb *schema.LoadBalancer) {
			lb.Mode, lb.ForwardedFor = "tcp", false
			lb.Sticky = &schema.Sticky{Cookie: "SID", Src: lbtest.Src("cookie")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Sticky.Src.Range("cookie") }, "cookie affinity needs mode"},
		{"tcp forwarded_for", func(lb *schema.LoadBalancer) { lb.Mode = "tcp" }, lbAt("forwarded_for"), "forwarded_for needs mode"},
		{"tcp health_path", func(lb *schema.LoadBalancer) { lb.Mode, lb.ForwardedFor, lb.HealthPath = "tcp", false, "/h" }, lbAt("health_path"), "health_path needs mode"},
		{"tcp server_names", func(lb *schema.LoadBalancer) {
			lb.Mode, lb.ForwardedFor, lb.ServerNames = "tcp", false, []string{"a.example.com"}
		}, lbAt("server_names"), "server_names needs mode"},
		{"tcp keep_alive written", func(lb *schema.LoadBalancer) {
			lb.Mode, lb.ForwardedFor = "tcp", false
			lb.Timeouts.Src = lbtest.Src("keep_alive")
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Timeouts.Src.Range("keep_alive") }, "keep_alive needs mode"},
		{"cookie and client_ip", func(lb *schema.LoadBalancer) {
			lb.Sticky = &schema.Sticky{Cookie: "SID", ClientIP: true, Src: lbtest.Src("cookie", "client_ip")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Sticky.Src.Range("client_ip") }, "both set"},
		{"redirect port clash", func(lb *schema.LoadBalancer) {
			lb.Listen = 80
			lb.TLS = &schema.TLS{Certificate: "/c.pem", RedirectHTTP: true, Src: lbtest.Src("certificate", "http_port")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.TLS.Src.Range("http_port") }, "also the TLS listen port"},
		{"weak preload", func(lb *schema.LoadBalancer) {
			lb.TLS = &schema.TLS{Certificate: "/c.pem", HSTS: &schema.HSTS{MaxAge: lbtest.D("1h"), Preload: true}, Src: lbtest.Src("hsts")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.TLS.Src.Range("hsts") }, "preload needs include_subdomains"},
		{"stats on listen port", func(lb *schema.LoadBalancer) { lb.Stats = &schema.Stats{Listen: 8080, Src: lbtest.Src("listen")} },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.Stats.Src.Range("listen") }, "also the load balancer's listen port"},
		{"state file without socket", func(lb *schema.LoadBalancer) {
			lb.Stats = &schema.Stats{Listen: 8404, StateFile: "/var/lib/s", Src: lbtest.Src("state_file")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Stats.Src.Range("state_file") }, "state_file needs socket"},
		{"dot-dot path", func(lb *schema.LoadBalancer) { lb.HealthPath = "/a/../b" }, lbAt("health_path"), "invalid health_path"},
		{"tcp socket off loopback", func(lb *schema.LoadBalancer) {
			lb.Stats = &schema.Stats{Listen: 8404, Socket: "ipv4@0.0.0.0:9999", Src: lbtest.Src("socket")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Stats.Src.Range("socket") }, "invalid socket"},
		{"ipv6 zone", func(lb *schema.LoadBalancer) { lb.Backends[0].Host = "fe80::1%eth0" }, beAt(0, "address"), "invalid address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lb := lbtest.Base("edge")
			c.edit(&lb)
			diags := Model(lbtest.Model(lb))
			want := c.at(&lb)
			for _, d := range diags {
				if d.Severity == hcl.DiagError && *d.Subject == *want && strings.Contains(d.Summary, c.summary) {
					if !strings.HasPrefix(d.Summary, `load_balancer "edge"`) {
						t.Errorf("summary %q does not name the block", d.Summary)
					}
					if d.Detail == "" {
						t.Errorf("no detail (how to fix) in %q", d.Summary)
					}
					return
				}
			}
			t.Fatalf("want an error %q at %v, got %v", c.summary, want, diags)
		})
	}
}

func TestDidYouMean(t *testing.T) {
	lb := lbtest.Base("edge")
	lb.Targets = []string{"haproxi"}
	d := Model(lbtest.Model(lb))
	if !d.HasErrors() || !strings.Contains(d[0].Detail, `Did you mean "haproxy"?`) {
		t.Fatalf("got %v", d)
	}
}

// TestDiagnosticsDeterministic: the same broken model gives the same
// diagnostics in the same order.
func TestDiagnosticsDeterministic(t *testing.T) {
	summaries := func() []string {
		lb := lbtest.Base("edge")
		lb.Mode = "tcp"
		lb.TLS = &schema.TLS{Certificate: "/c.pem", RedirectHTTP: true, HTTP2: true, HSTS: &schema.HSTS{MaxAge: lbtest.D("1h")}}
		hc := lbtest.HealthCheck()
		hc.Type = "tcp"
		lb.HealthCheck = hc
		var out []string
		for _, d := range Model(lbtest.Model(lb)) {
			out = append(out, d.Summary)
		}
		return out
	}
	first := summaries()
	if len(first) < 7 {
		t.Fatalf("want at least 7 diagnostics, got %q", first)
	}
	for range 20 {
		if got := summaries(); !slices.Equal(got, first) {
			t.Fatalf("order changed:\n%q\n%q", first, got)
		}
	}
}

func lbAt(attr string) func(lb *schema.LoadBalancer) *hcl.Range {
	return func(lb *schema.LoadBalancer) *hcl.Range { return lb.Src.Range(attr) }
}

func beAt(i int, attr string) func(lb *schema.LoadBalancer) *hcl.Range {
	return func(lb *schema.LoadBalancer) *hcl.Range { return lb.Backends[i].Src.Range(attr) }
}

func hcAt(attr string) func(lb *schema.LoadBalancer) *hcl.Range {
	return func(lb *schema.LoadBalancer) *hcl.Range { return lb.HealthCheck.Src.Range(attr) }
}
