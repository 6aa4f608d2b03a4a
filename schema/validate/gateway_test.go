package validate

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/schema"
)

// routeAttrLines puts each route attribute on its own line.
var routeAttrLines = map[string]int{
	"gateway": 81, "gateway_namespace": 82, "hosts": 83, "host": 84, "path": 85, "tls": 86, "tls_secret": 87,
	"timeout": 88, "backend_timeout": 89, "request_headers": 90, "remove_request_headers": 91,
	"response_headers": 92, "remove_response_headers": 93, "split": 94, "mirror": 95,
}

func routeModel(mutate func(r *schema.Route)) *schema.Model {
	r := &schema.Route{Gateway: "edge", Declared: true, Hosts: []string{"api.example.com"}, Path: "/", PathType: "prefix"}
	r.Src.Block = rangeAt(80)
	for a, l := range routeAttrLines {
		r.Src.Set(a, rangeAt(l))
	}
	mutate(r)
	svc := validService()
	svc.Route = r
	return &schema.Model{
		Project:  schema.Project{Name: "shop", Namespace: "shop"},
		Services: []schema.Service{svc},
		Gateways: []schema.Gateway{{Name: "edge", Namespace: "shop", Class: "envoy", Listeners: []schema.Listener{{Name: "http", Protocol: "HTTP", Port: 80}}}},
	}
}

// Each hostile value is refused by an error on the line of the attribute
// that holds it, and a clean route passes.
func TestRouteRejectsHostileValues(t *testing.T) {
	if d := gateways(routeModel(func(*schema.Route) {})); d.HasErrors() {
		t.Fatalf("a clean route: %v", d)
	}
	for _, tc := range []struct {
		name, attr, summary string
		mutate              func(r *schema.Route)
	}{
		{"host with underscore", "hosts", "invalid host", func(r *schema.Route) { r.Hosts = []string{"a_b.example.com"} }},
		{"upper-case host", "hosts", "invalid host", func(r *schema.Route) { r.Hosts = []string{"API.example.com"} }},
		{"IP host", "hosts", "invalid host", func(r *schema.Route) { r.Hosts = []string{"192.168.0.1"} }},
		{"IPv6 host", "hosts", "invalid host", func(r *schema.Route) { r.Hosts = []string{"::1"} }},
		{"inner wildcard", "hosts", "invalid host", func(r *schema.Route) { r.Hosts = []string{"a.*.com"} }},
		{"relative path", "path", "invalid path", func(r *schema.Route) { r.Path = "api" }},
		{"double slash", "path", "invalid path", func(r *schema.Route) { r.Path = "/a//b" }},
		{"encoded slash", "path", "invalid path", func(r *schema.Route) { r.Path = "/a%2Fb" }},
		{"fragment", "path", "invalid path", func(r *schema.Route) { r.Path = "/a#b" }},
		{"trailing dot-dot", "path", "invalid path", func(r *schema.Route) { r.Path = "/a/.." }},
		{"space in path", "path", "invalid path", func(r *schema.Route) { r.Path = "/a b" }},
		{"long path", "path", "invalid path", func(r *schema.Route) { r.Path = "/" + strings.Repeat("p", 1024) }},
		{"header name with colon", "request_headers", "invalid header name", func(r *schema.Route) { r.RequestHeaders = map[string]string{"X-A: b": "v"} }},
		{"header value with CRLF", "response_headers", "invalid value", func(r *schema.Route) { r.ResponseHeaders = map[string]string{"X-A": "v\r\nSet-Cookie: s=1"} }},
		{"empty header value", "request_headers", "invalid value", func(r *schema.Route) { r.RequestHeaders = map[string]string{"X-A": ""} }},
		{"header set twice", "remove_request_headers", "repeats", func(r *schema.Route) {
			r.RequestHeaders, r.RemoveRequestHeaders = map[string]string{"X-A": "1"}, []string{"x-a"}
		}},
		{"backend timeout above request", "backend_timeout", "exceeds", func(r *schema.Route) {
			r.Timeout, r.BackendTimeout = schema.Duration(time.Second), schema.Duration(2*time.Second)
		}},
		{"sub-millisecond timeout", "timeout", "not supported", func(r *schema.Route) { r.Timeout = schema.Duration(1500 * time.Microsecond) }},
		{"unknown split service", "split", "no service", func(r *schema.Route) { r.Split = []schema.WeightedBackend{{Service: "ghost", Weight: 1}} }},
		{"all weights zero", "split", "every weight is zero", func(r *schema.Route) { r.Split = []schema.WeightedBackend{{Service: "api", Weight: 0}} }},
		{"TLS without a host", "tls", "needs a host", func(r *schema.Route) { r.Hosts, r.TLS, r.TLSSecret = nil, true, "api-tls" }},
		{"TLS on an existing gateway", "tls", "declared gateway", func(r *schema.Route) { r.Declared, r.Gateway, r.TLS, r.TLSSecret = false, "shared", true, "api-tls" }},
		{"bad existing gateway name", "gateway", "invalid gateway name", func(r *schema.Route) { r.Declared, r.Gateway = false, "Shared_GW" }},
		{"path on a gRPC route", "path", "does not apply", func(r *schema.Route) { r.GRPC, r.Path = true, "/x" }},
	} {
		d := gateways(routeModel(tc.mutate))
		if !routeErrorAt(d, tc.summary, routeAttrLines[tc.attr]) {
			t.Errorf("%s: want an error %q at line %d (%s), got %v", tc.name, tc.summary, routeAttrLines[tc.attr], tc.attr, d)
		}
	}
}

func routeErrorAt(d hcl.Diagnostics, summary string, line int) bool {
	for _, x := range d {
		if x.Severity == hcl.DiagError && strings.Contains(x.Summary, summary) && x.Subject != nil && x.Subject.Start.Line == line {
			return true
		}
	}
	return false
}

func TestGatewayListenerRules(t *testing.T) {
	m := routeModel(func(r *schema.Route) { r.TLS, r.TLSSecret = true, "api-tls" })
	g := &m.Gateways[0]
	g.Listeners = append(g.Listeners,
		schema.Listener{Name: "https-api.example.com", Protocol: "HTTP", Port: 8080},
		schema.Listener{Name: "web", Protocol: "HTTP", Port: 80},
		schema.Listener{Name: "tls", Protocol: "HTTPS", Port: 443, Hostname: "*.example.com"},
	)
	d := gateways(m)
	for _, want := range []string{"duplicate listener \"https-api.example.com\"", "listener \"web\" repeats another listener", "listener \"tls\" needs tls_secret"} {
		found := false
		for _, x := range d {
			found = found || strings.Contains(x.Summary, want)
		}
		if !found {
			t.Errorf("want %q, got %v", want, d)
		}
	}
}
