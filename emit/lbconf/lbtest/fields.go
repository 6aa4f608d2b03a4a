package lbtest

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// Field is one user string of a load balancer: how to set it on a fixture
// (enabling the block it lives in) and where its diagnostic must point.
type Field struct {
	Name string
	// OK is a value the field accepts (the control for hostile tests).
	OK  string
	Set func(lb *schema.LoadBalancer, v string)
	At  func(lb *schema.LoadBalancer) *hcl.Range
}

func withTLS(lb *schema.LoadBalancer) *schema.TLS {
	if lb.TLS == nil {
		lb.TLS = &schema.TLS{Certificate: "/etc/ssl/private/edge.pem", Src: Src("certificate", "key", "redirect_http", "http_port", "http2", "hsts")}
	}
	return lb.TLS
}

func withHC(lb *schema.LoadBalancer) *schema.HealthCheck {
	if lb.HealthCheck == nil {
		lb.HealthCheck = HealthCheck()
	}
	return lb.HealthCheck
}

func withStats(lb *schema.LoadBalancer) *schema.Stats {
	if lb.Stats == nil {
		lb.Stats = &schema.Stats{Listen: 8404, Path: "/stats", Src: Src("listen", "path", "socket", "state_file")}
	}
	return lb.Stats
}

func withFrom(lb *schema.LoadBalancer) *schema.BackendsFrom {
	if lb.BackendsFrom == nil {
		lb.Backends = nil
		lb.BackendsFrom = &schema.BackendsFrom{Service: "api", Namespace: "shop", Port: 8000}
	}
	return lb.BackendsFrom
}

func attr(name string) func(lb *schema.LoadBalancer) *hcl.Range {
	return func(lb *schema.LoadBalancer) *hcl.Range { return lb.Src.Range(name) }
}

// Fields lists every string field of a load balancer that reaches a
// configuration (or selects what is emitted).
func Fields() []Field {
	return []Field{
		{"name", "edge2", func(lb *schema.LoadBalancer, v string) { lb.Name = v }, attr("name")},
		{"targets", "nginx", func(lb *schema.LoadBalancer, v string) {
			// Keep both real targets so that both emitters select the
			// load balancer and must refuse the bad one.
			lb.Targets = []string{"haproxy", "nginx", v}
			if v == "haproxy" || v == "nginx" {
				lb.Targets = []string{v}
			}
		}, attr("targets")},
		{"mode", "http", func(lb *schema.LoadBalancer, v string) { lb.Mode = v }, attr("mode")},
		{"listen_addresses", "::", func(lb *schema.LoadBalancer, v string) { lb.ListenAddresses = []string{"127.0.0.1", v} }, attr("listen_addresses")},
		{"algorithm", "ip_hash", func(lb *schema.LoadBalancer, v string) { lb.Algorithm = v }, attr("algorithm")},
		{"server_names", "*.example.org", func(lb *schema.LoadBalancer, v string) { lb.ServerNames = []string{"app.example.com", v} }, attr("server_names")},
		{"health_path", "/healthz", func(lb *schema.LoadBalancer, v string) { lb.HealthPath = v }, attr("health_path")},
		{"health_check.type", "https", func(lb *schema.LoadBalancer, v string) { withHC(lb).Type = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.HealthCheck.Src.Range("type") }},
		{"health_check.path", "/ready?x=1", func(lb *schema.LoadBalancer, v string) { withHC(lb).Path = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.HealthCheck.Src.Range("path") }},
		{"health_check.method", "HEAD", func(lb *schema.LoadBalancer, v string) { withHC(lb).Method = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.HealthCheck.Src.Range("method") }},
		{"health_check.host", "api.example.com", func(lb *schema.LoadBalancer, v string) { withHC(lb).Host = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.HealthCheck.Src.Range("host") }},
		{"backend.name", "web_1", func(lb *schema.LoadBalancer, v string) { lb.Backends[0].Name = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.Backends[0].Src.Range("name") }},
		{"backend.address", "10.1.2.3", func(lb *schema.LoadBalancer, v string) { lb.Backends[0].Host = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.Backends[0].Src.Range("address") }},
		{"backends_from.service", "api", func(lb *schema.LoadBalancer, v string) { withFrom(lb).Service = v }, attr("backends_from")},
		{"backends_from.namespace", "other-ns", func(lb *schema.LoadBalancer, v string) { withFrom(lb).Namespace = v }, attr("backends_from")},
		{"tls.certificate", "/etc/ssl/a.pem", func(lb *schema.LoadBalancer, v string) { withTLS(lb).Certificate = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.TLS.Src.Range("certificate") }},
		{"tls.key", "/etc/ssl/a.key", func(lb *schema.LoadBalancer, v string) { withTLS(lb).Key = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.TLS.Src.Range("key") }},
		{"sticky_sessions.cookie", "SESSION_ID", func(lb *schema.LoadBalancer, v string) {
			lb.Sticky = &schema.Sticky{Cookie: v, Src: Src("cookie", "client_ip")}
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Sticky.Src.Range("cookie") }},
		{"stats.path", "/haproxy-stats", func(lb *schema.LoadBalancer, v string) { withStats(lb).Path = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.Stats.Src.Range("path") }},
		{"stats.socket", "/run/haproxy/admin.sock", func(lb *schema.LoadBalancer, v string) { withStats(lb).Socket = v },
			func(lb *schema.LoadBalancer) *hcl.Range { return lb.Stats.Src.Range("socket") }},
		{"stats.state_file", "/var/lib/haproxy/state", func(lb *schema.LoadBalancer, v string) {
			s := withStats(lb)
			s.Socket = "/run/haproxy/edge.sock"
			s.StateFile = v
		}, func(lb *schema.LoadBalancer) *hcl.Range { return lb.Stats.Src.Range("state_file") }},
	}
}
