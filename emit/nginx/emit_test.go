package nginx

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/schema"
)

type feature struct {
	name  string
	edit  func(t *testing.T, lb *schema.LoadBalancer)
	want  []string // lines (trimmed) that must appear
	warns []string // substrings of the warning summaries, in order
}

func tcpCheck() *schema.HealthCheck {
	hc := lbtest.HealthCheck()
	hc.Type, hc.Path, hc.Host, hc.Method, hc.ExpectStatus = "tcp", "", "", "", 0
	return hc
}

func features() []feature {
	return []feature{
		{name: "round_robin", edit: func(t *testing.T, lb *schema.LoadBalancer) {},
			want: []string{"pid edge.pid;", "error_log stderr;", "upstream nbac_edge {", "zone nbac_edge 64k;",
				"server 127.0.0.1:9001 weight=100;", "listen 8080;", "proxy_pass http://nbac_edge;",
				"proxy_set_header Host $host;", "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
				"proxy_set_header X-Forwarded-Proto $scheme;", "proxy_connect_timeout 5s;", "proxy_read_timeout 30s;",
				"client_header_timeout 10s;", "keepalive_timeout 5s;", "worker_connections 1024;"}},
		{name: "least_connections", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Algorithm = "least_connections" },
			want: []string{"least_conn;"}},
		{name: "ip_hash", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Algorithm = "ip_hash" },
			want: []string{"hash $binary_remote_addr consistent;"}},
		{name: "weighted_backup", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Algorithm = "weighted_round_robin"
			lb.Backends[0].Weight = 80
			lb.Backends[1].Weight = 20
			b := lbtest.Backend("spare", 9101)
			b.Backup = true
			lb.Backends = append(lb.Backends, b)
		}, want: []string{"server 127.0.0.1:9001 weight=80;", "server 127.0.0.1:9002 weight=20;", "server 127.0.0.1:9101 weight=100 backup;"}},
		{name: "http_check", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.HealthCheck = lbtest.HealthCheck() },
			want:  []string{"server 127.0.0.1:9001 weight=100 max_fails=3 fail_timeout=15s;", "proxy_next_upstream error timeout http_502 http_503 http_504;"},
			warns: []string{"active health checks are NGINX Plus only"}},
		{name: "fail_timeout_whole_seconds", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.HealthCheck = lbtest.HealthCheck()
			lb.HealthCheck.Interval = lbtest.D("300ms")
			lb.HealthCheck.Fall = 2
		}, want: []string{"server 127.0.0.1:9001 weight=100 max_fails=2 fail_timeout=1s;"},
			warns: []string{"active health checks are NGINX Plus only"}},
		{name: "per_server_maxconn", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Backends[0].MaxConn = 200 },
			want:  []string{"server 127.0.0.1:9001 weight=100 max_conns=200;"},
			warns: []string{"max_conn has no queue"}},
		{name: "sticky_cookie", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Algorithm = "least_connections"
			lb.Sticky = &schema.Sticky{Cookie: "SERVERID", Src: lbtest.Src("cookie", "client_ip")}
		}, want: []string{"map $cookie_SERVERID $nbac_edge_affinity {", `"" $binary_remote_addr;`, "default $cookie_SERVERID;",
			"hash $nbac_edge_affinity consistent;"},
			warns: []string{"cookie stickiness is NGINX Plus only", "least_connections is replaced"}},
		{name: "sticky_client_ip", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Sticky = &schema.Sticky{ClientIP: true, Src: lbtest.Src("cookie", "client_ip")}
		}, want: []string{"hash $binary_remote_addr consistent;"}},
		{name: "tls_redirect_hsts_h2", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Listen = 8443
			lb.ServerNames = []string{"app.example.com", "*.example.org"}
			lb.TLS = &schema.TLS{Certificate: lbtest.Cert(t), RedirectHTTP: true, HTTPPort: 8080, HTTP2: true,
				HSTS: &schema.HSTS{MaxAge: lbtest.D("8760h"), IncludeSubdomains: true, Preload: true},
				Src:  lbtest.Src("certificate", "key", "redirect_http", "http_port", "http2", "hsts")}
		}, want: []string{"listen 8080;", "return 301 https://$host:8443$request_uri;", "listen 8443 ssl http2;",
			"server_name app.example.com *.example.org;", "ssl_protocols TLSv1.2 TLSv1.3;",
			// server_names is enforced: default servers answer 421.
			"listen 8080 default_server;", "listen 8443 ssl http2 default_server;", "return 421;",
			`add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always;`}},
		{name: "listen_addresses", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.ListenAddresses = []string{"127.0.0.1", "::1"}
			lb.ServerNames = []string{"2001:db8::1"}
		}, want: []string{"listen 127.0.0.1:8080;", "listen [::1]:8080;", "server_name [2001:db8::1];",
			"listen 127.0.0.1:8080 default_server;", "listen [::1]:8080 default_server;"}},
		{name: "tls_443", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Listen = 443
			lb.TLS = &schema.TLS{Certificate: lbtest.Cert(t), RedirectHTTP: true, Src: lbtest.Src("certificate")}
		}, want: []string{"listen 80;", "return 301 https://$host$request_uri;", "listen 443 ssl;"}},
		{name: "rate_limit", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 10, Burst: 20, Src: lbtest.Src("requests_per_second", "burst")}
		}, want: []string{"limit_req_zone $binary_remote_addr zone=nbac_edge_rate:10m rate=10r/s;", "limit_req_status 429;",
			"limit_req zone=nbac_edge_rate burst=20 nodelay;"}},
		{name: "rate_limit_no_burst", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 3, Src: lbtest.Src("requests_per_second", "burst")}
		}, want: []string{"limit_req zone=nbac_edge_rate;"}},
		{name: "maxconn_health_stats", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.MaxConn = 20000
			lb.HealthPath = "/healthz"
			lb.Stats = &schema.Stats{Listen: 8404, Path: "/stats", Socket: "/run/haproxy/nbac.sock",
				StateFile: "/var/lib/haproxy/nbac.state", Src: lbtest.Src("listen", "path", "socket", "state_file")}
		}, want: []string{"worker_connections 40000;", "worker_rlimit_nofile 80000;", "limit_conn_zone $server_port zone=nbac_edge_conn:1m;",
			"limit_conn nbac_edge_conn 20000;", "location = /healthz {", "return 200 ok;", "listen 8404;", "location = /stats {", "stub_status;"},
			warns: []string{"max_conn refuses excess connections", "socket is HAProxy-only", "state_file is HAProxy-only", "stub_status counters only"}},
		{name: "tcp", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Mode = "tcp"
			lb.ForwardedFor = false
			lb.Algorithm = "least_connections"
			lb.MaxConn = 100
			lb.Stats = &schema.Stats{Listen: 8404, Src: lbtest.Src("listen")}
			lb.HealthCheck = tcpCheck()
			b := lbtest.Backend("spare", 9101)
			b.Backup = true
			lb.Backends = append(lb.Backends, b)
		}, want: []string{"load_module /usr/lib/nginx/modules/ngx_stream_module.so;", "stream {", "least_conn;", "proxy_pass nbac_edge;",
			"proxy_timeout 30s;", "proxy_next_upstream on;", "server 127.0.0.1:9101 weight=100 max_fails=3 fail_timeout=15s backup;", "stub_status;",
			"limit_conn nbac_edge_conn 100;"},
			warns: []string{"active health checks", "max_conn refuses", "stub_status counters only"}},
		{name: "tcp_tls_client_ip", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Mode = "tcp"
			lb.ForwardedFor = false
			lb.Sticky = &schema.Sticky{ClientIP: true, Src: lbtest.Src("client_ip")}
			lb.TLS = &schema.TLS{Certificate: lbtest.Cert(t), Src: lbtest.Src("certificate")}
		}, want: []string{"hash $remote_addr consistent;", "listen 8080 ssl;"}},
		{name: "backends_from", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Backends = nil
			lb.BackendsFrom = &schema.BackendsFrom{Service: "api", Namespace: "shop", Port: 8000}
		}, want: []string{"server api.shop.svc.cluster.local:8000 weight=100;"},
			warns: []string{"resolved once, at start"}},
		{name: "ipv6_backend", edit: func(t *testing.T, lb *schema.LoadBalancer) { lb.Backends[1].Host = "::1" },
			want: []string{"server [::1]:9002 weight=100;"}},
		{name: "queue_timeout_written", edit: func(t *testing.T, lb *schema.LoadBalancer) {
			lb.Timeouts.Src = lbtest.Src("queue")
		}, warns: []string{"timeouts.queue has no Nginx equivalent"}},
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
			if len(arts) != 1 || arts[0].Path != "nginx/edge.conf" || arts[0].Origin != `load_balancer "edge"` {
				t.Fatalf("artifacts: %+v", arts)
			}
			cfg := string(arts[0].Data)
			lines := map[string]bool{}
			for _, l := range strings.Split(cfg, "\n") {
				lines[strings.TrimSpace(l)] = true
			}
			for _, w := range f.want {
				if !lines[w] {
					t.Errorf("missing line %q in\n%s", w, cfg)
				}
			}
			checkWarnings(t, diags, f.warns)
			lbcheck.Require(t)
			if err := lbcheck.Nginx(arts[0].Data); err != nil {
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
			if !strings.Contains(d.Summary, `load_balancer "edge"`) || !strings.HasPrefix(d.Summary, "nginx:") {
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

// TestWarningSubjects checks that each gap warning points at the attribute
// it is about, not just the block.
func TestWarningSubjects(t *testing.T) {
	lb := lbtest.Base("edge")
	lb.HealthCheck = lbtest.HealthCheck()
	lb.Sticky = &schema.Sticky{Cookie: "SID", Src: lbtest.Src("cookie")}
	_, diags := Emit(lbtest.Model(lb))
	want := map[string]int{"active health checks": lb.Src.Range("health_check").Start.Line, "cookie stickiness": 2}
	for _, d := range diags {
		for k, line := range want {
			if strings.Contains(d.Summary, k) {
				if d.Subject.Start.Line != line {
					t.Errorf("%q at line %d, want %d", d.Summary, d.Subject.Start.Line, line)
				}
				delete(want, k)
			}
		}
	}
	if len(want) != 0 {
		t.Errorf("missing warnings: %v", want)
	}
}

func TestDeterministic(t *testing.T) {
	build := func() []byte {
		lb := lbtest.Base("edge")
		lb.HealthCheck = lbtest.HealthCheck()
		lb.RateLimit = &schema.RateLimit{RequestsPerSecond: 5, Burst: 1}
		lb.Sticky = &schema.Sticky{Cookie: "SID"}
		other := lbtest.Base("zeta")
		other.Targets = []string{"nginx"}
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
