package haproxy

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/schema"
)

// feature is one load balancer variant: what it must emit, and which
// warnings (by summary substring) it must produce.
type feature struct {
	name  string
	edit  func(t *testing.T, lb *schema.LoadBalancer)
	want  []string // lines (trimmed) that must appear
	warns []string
}

func features() []feature {
	return []feature{
		{name: "round_robin", edit: func(t *testing.T, lb *schema.LoadBalancer) {},
			want: []string{"balance roundrobin", "server app1 127.0.0.1:9001 weight 100 init-addr last,libc,none",
				"option forwardfor", "http-request set-header X-Forwarded-Proto http", "bind :8080",
				"timeout connect 5s", "timeout http-request 10s", "timeout http-keep-alive 5s", "timeout queue 30s"}},
		{name: "least_connections", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Algorithm = "least_connections" },
			want: []string{"balance leastconn"}},
		{name: "ip_hash", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Algorithm = "ip_hash" },
			want: []string{"balance source", "hash-type consistent"}},
		{name: "weighted_backup", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Algorithm = "weighted_round_robin"
			lb.Backends[0].Weight = 80
			lb.Backends[1].Weight = 20
			lb.Backends[1].MaxConn = 50
			b := lbtest.Backend("spare", 9101)
			b.Backup = true
			lb.Backends = append(lb.Backends, b)
			lb.HealthCheck = lbtest.HealthCheck()
		}, want: []string{"option allbackups", "server app1 127.0.0.1:9001 weight 80 check init-addr last,libc,none",
			"server app2 127.0.0.1:9002 weight 20 maxconn 50 check init-addr last,libc,none",
			"server spare 127.0.0.1:9101 weight 100 backup check init-addr last,libc,none"}},
		{name: "backup_without_check", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Backends[1].Backup = true },
			want: []string{"option allbackups"}, warns: []string{"backup servers need a health_check"}},
		{name: "http_check", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck() },
			want: []string{"option httpchk", "http-check send meth GET uri /health ver HTTP/1.1 hdr Host app.example.com",
				"http-check expect status 200", "timeout check 2s", "default-server inter 5s rise 2 fall 3"}},
		{name: "http_check_minimal", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			hc := lbtest.HealthCheck()
			hc.Host, hc.ExpectStatus, hc.Method, hc.Path = "", 0, "HEAD", "/ready?full=1&fast"
			lb.HealthCheck = hc
		}, want: []string{"http-check send meth HEAD uri /ready?full=1&fast"}},
		{name: "https_check", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.Type = "https"
		}, want: []string{"default-server inter 5s rise 2 fall 3 check-ssl verify none check-sni app.example.com"}},
		{name: "tcp_check", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			hc := lbtest.HealthCheck()
			hc.Type, hc.Path, hc.Host, hc.Method, hc.ExpectStatus = "tcp", "", "", "", 0
			lb.HealthCheck = hc
		}, want: []string{"default-server inter 5s rise 2 fall 3"}},
		{name: "sticky_cookie", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Sticky = &schema.Sticky{Cookie: "SERVERID", Src: lbtest.Src("cookie", "client_ip")}
		}, want: []string{"cookie SERVERID insert indirect nocache httponly",
			"server app1 127.0.0.1:9001 weight 100 cookie app1 init-addr last,libc,none"}},
		{name: "sticky_client_ip", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Sticky = &schema.Sticky{ClientIP: true, Src: lbtest.Src("cookie", "client_ip")}
		}, want: []string{"stick-table type ipv6 size 1m expire 30m", "stick on src"}},
		{name: "tls_redirect_hsts_h2", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Listen = 8443
			lb.TLS = &schema.TLS{Certificate: lbtest.Cert(t), RedirectHTTP: true, HTTPPort: 8080, HTTP2: true,
				HSTS: &schema.HSTS{MaxAge: lbtest.D("8760h"), IncludeSubdomains: true, Preload: true},
				Src:  lbtest.Src("certificate", "key", "redirect_http", "http_port", "http2", "hsts")}
			lb.Sticky = &schema.Sticky{Cookie: "SERVERID", Src: lbtest.Src("cookie")}
		}, want: []string{"bind :8080",
			"http-request deny deny_status 400 unless { req.hdr(host) -m reg '^([[][0-9A-Fa-f:.]+[]]|[A-Za-z0-9._-]+)(:[0-9]+)?$' }",
			"http-request set-var(txn.nbac_host) 'req.hdr(host),lower,regsub(:[0-9]+$,)'",
			"http-request redirect location https://%[var(txn.nbac_host)]:8443%[pathq] code 301 unless { ssl_fc }",
			"http-after-response set-header Strict-Transport-Security 'max-age=31536000; includeSubDomains; preload' if { ssl_fc }",
			"http-request set-header X-Forwarded-Proto https if { ssl_fc }",
			"cookie SERVERID insert indirect nocache httponly secure", "ssl-default-bind-options ssl-min-ver TLSv1.2"}},
		{name: "tls_443", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Listen = 443
			lb.TLS = &schema.TLS{Certificate: lbtest.Cert(t), RedirectHTTP: true, Src: lbtest.Src("certificate")}
		}, want: []string{"bind :80", "http-request redirect location https://%[var(txn.nbac_host)]%[pathq] code 301 unless { ssl_fc }"}},
		{name: "rate_limit", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 10, Burst: 20, Src: lbtest.Src("requests_per_second", "burst")}
		}, want: []string{"stick-table type ipv6 size 1m expire 60s store gpc0_rate(10s)", "http-request track-sc0 src",
			"http-request deny deny_status 429 if { sc_gpc0_rate(0) ge 120 }", "http-request sc-inc-gpc0(0)"},
			warns: []string{"10 s sliding window"}},
		{name: "maxconn_health_stats", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.MaxConn = 20000
			lb.HealthPath = "/healthz"
			lb.Stats = &schema.Stats{Listen: 8404, Path: "/stats", Socket: "/run/haproxy/nbac.sock",
				StateFile: "/var/lib/haproxy/nbac.state", Src: lbtest.Src("listen", "path", "socket", "state_file")}
		}, want: []string{"maxconn 20000", "monitor-uri /healthz", "monitor fail if { nbsrv(be_edge) lt 1 }",
			"stats socket /run/haproxy/nbac.sock mode 600 level admin", "server-state-file /var/lib/haproxy/nbac.state",
			"load-server-state-from-file global", "frontend stats_edge", "stats uri /stats",
			"http-request use-service prometheus-exporter if { path /metrics }"}},
		{name: "tcp", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Mode = "tcp"
			lb.ForwardedFor = false
			lb.Algorithm = "least_connections"
			lb.Sticky = &schema.Sticky{ClientIP: true, Src: lbtest.Src("client_ip")}
			lb.Stats = &schema.Stats{Listen: 8404, Src: lbtest.Src("listen")}
			hc := lbtest.HealthCheck()
			hc.Type, hc.Path, hc.Host, hc.Method, hc.ExpectStatus = "tcp", "", "", "", 0
			lb.HealthCheck = hc
		}, want: []string{"mode tcp", "option tcplog", "balance leastconn", "stick on src"}},
		{name: "tcp_admin_socket", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Stats = &schema.Stats{Listen: 8404, Socket: "ipv4@127.0.0.1:9999", Src: lbtest.Src("listen", "socket")}
		}, want: []string{"stats socket ipv4@127.0.0.1:9999 level admin"}},
		{name: "tcp_http_check_tls", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Mode = "tcp"
			lb.ForwardedFor = false
			lb.HealthCheck = lbtest.HealthCheck()
			lb.TLS = &schema.TLS{Certificate: lbtest.Cert(t), Src: lbtest.Src("certificate")}
		}, want: []string{"mode tcp", "option httpchk", "bind :8080 ssl crt " + "CERT"}},
		{name: "backends_from", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Backends = nil
			lb.BackendsFrom = &schema.BackendsFrom{Service: "api", Namespace: "shop", Port: 8000}
		}, want: []string{"server api api.shop.svc.cluster.local:8000 weight 100 init-addr last,libc,none"}},
		{name: "ipv6_backend", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Backends[1].Host = "::1" },
			want: []string{"server app2 [::1]:9002 weight 100 init-addr last,libc,none"}},
		{name: "server_names", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.ServerNames = []string{"App.example.com", "*.example.org", "2001:db8::1"}
		}, want: []string{
			"http-request set-var(txn.nbac_host) 'req.hdr(host),lower,regsub(:[0-9]+$,)'",
			"http-request deny deny_status 421 unless { var(txn.nbac_host) -i -m str app.example.com [2001:db8::1] } || { var(txn.nbac_host) -i -m end .example.org }"}},
		{name: "listen_addresses", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.ListenAddresses = []string{"0.0.0.0", "::"}
		}, want: []string{"bind 0.0.0.0:8080", "bind [::]:8080 v6only"}},
		{name: "failover_retries", edit: func(t *testing.T, lb *schema.LoadBalancer) {}, want: []string{
			"retries 3", "option redispatch 1", "retry-on conn-failure empty-response",
			"http-request disable-l7-retry unless { method GET HEAD OPTIONS PUT DELETE TRACE }"}},
	}
}

func TestFeatures(t *testing.T) {
	for _, f := range features() {
		t.Run(f.name, func(t *testing.T) {
			lb := lbtest.Base("edge")
			f.edit(t, &lb)
			arts, diags := Emit(lbtest.Model(lb))
			if diags.HasErrors() {
				t.Fatalf("errors: %v", diags)
			}
			if len(arts) != 1 || arts[0].Path != "haproxy/edge.cfg" || arts[0].Origin != `load_balancer "edge"` {
				t.Fatalf("artifacts: %+v", arts)
			}
			cfg := string(arts[0].Data)
			lines := map[string]bool{}
			for _, l := range strings.Split(cfg, "\n") {
				lines[strings.TrimSpace(l)] = true
			}
			for _, w := range f.want {
				if lb.TLS != nil {
					w = strings.Replace(w, "CERT", lb.TLS.Certificate, 1)
				}
				if !lines[w] {
					t.Errorf("missing line %q in\n%s", w, cfg)
				}
			}
			checkWarnings(t, diags, f.warns)
			lbcheck.Require(t)
			if err := lbcheck.HAProxy(arts[0].Data); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func checkWarnings(t *testing.T, diags hcl.Diagnostics, want []string) {
	t.Helper()
	var got []string
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			got = append(got, d.Summary)
			if !strings.Contains(d.Summary, `load_balancer "edge"`) || !strings.HasPrefix(d.Summary, "haproxy:") {
				t.Errorf("warning %q does not name the target and block", d.Summary)
			}
			if d.Subject == nil || d.Subject.Filename != lbtest.File {
				t.Errorf("warning %q has no subject in the HCL", d.Summary)
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("warnings %q, want ones containing %q", got, want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("warning %q does not contain %q", got[i], w)
		}
	}
}

func TestDeterministic(t *testing.T) {
	build := func() []byte {
		lb := lbtest.Base("edge")
		lb.HealthCheck = lbtest.HealthCheck()
		lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 5, Burst: 1}
		lb.Sticky = &schema.Sticky{Cookie: "SID"}
		other := lbtest.Base("zeta")
		other.Targets = []string{"haproxy"}
		arts, _ := Emit(lbtest.Model(lb, other))
		var b bytes.Buffer
		for _, a := range arts {
			b.WriteString(a.Path + "\n")
			b.Write(a.Data)
		}
		return b.Bytes()
	}
	first := build()
	for range 20 {
		if got := build(); !bytes.Equal(got, first) {
			t.Fatalf("output differs between runs:\n%s\n---\n%s", first, got)
		}
	}
}

func TestOnlyHAProxyTargets(t *testing.T) {
	a := lbtest.Base("a")
	a.Targets = []string{"nginx"}
	b := lbtest.Base("b")
	arts, diags := Emit(lbtest.Model(a, b))
	if diags.HasErrors() || len(arts) != 1 || arts[0].Path != "haproxy/b.cfg" {
		t.Fatalf("got %v %v", arts, diags)
	}
}
