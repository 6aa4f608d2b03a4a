package kubernetes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The Gateway API blocks join the generated cases: a gateway with a
// listener, and a service's route. A route names the existing Gateway
// "shared" unless a case names gateway.edge (which writes the gateway
// block through gateway.class).
func init() {
	blocks = append(blocks,
		struct{ name, parent, header string }{"gateway", "", "gateway"},
		struct{ name, parent, header string }{"listener", "gateway", "listener"},
		struct{ name, parent, header string }{"route", "service", "route"},
	)
	needs["gateway"] = map[string]string{"gateway.@label": q("edge"), "gateway.class": q("envoy")}
	needs["listener"] = map[string]string{"listener.@label": q("web")}
	needs["route"] = map[string]string{"route.gateway": q("shared")}
}

var (
	headerNames  = []string{"X-A", "x-a", "X_A", "X A", "X:A", "", strings.Repeat("h", 256), strings.Repeat("h", 257), "X-A\r\nB", "é", "!#$%&'*+-.^_`|~"}
	headerValues = []string{"v", "", " ", "a b", "a\r\nSet-Cookie: x", "a\x00b", "\t", "é", strings.Repeat("v", 4096), strings.Repeat("v", 4097), "${x}"}
	gwDurations  = append(durations, "1ms", "100ms", "24h", "24h0m0.001s", "25h", "1.5ms", "100000h", "99999h")
	gwPaths      = append(paths, "/a%zz", "/%41", "/a;b=c", "/a:b@c", "/~user", "/"+strings.Repeat("p", 1023), "/"+strings.Repeat("p", 1024))
)

// gatewayDomains are the boundary values of the Gateway API slots.
func gatewayDomains() map[string][]string {
	d := map[string][]string{
		"gateway.@label":          qs("edge", "Edge", "e_1", a63, a64),
		"gateway.class":           qs(dnsNames...),
		"gateway.namespace":       qs(append(dnsNames, "ns", "infra")...),
		"gateway.issuer":          qs(append(dnsNames, huge(300000))...),
		"gateway.allowed_routes":  qs("Same", "All", "same", "Selector", ""),
		"listener.@label":         qs(append(labelNames, sub253, sub254, "a.b")...),
		"listener.protocol":       qs("HTTP", "HTTPS", "TCP", "http", ""),
		"listener.port":           ints,
		"listener.hostname":       qs(hosts...),
		"listener.tls_secret":     qs(dnsNames...),
		"route.gateway":           append(qs(append(dnsNames, "shared")...), "gateway.edge", "gateway.other", "service.api"),
		"route.gateway_namespace": qs(dnsNames...),
		"route.host":              qs(hosts...),
		"route.hosts":             {"[]", list("a.example.com", "b.example.com"), list(strings.Split(strings.Repeat("h.example.com ", 17), " ")[:17]...), list("a.example.com", "a.example.com")},
		"route.path":              qs(gwPaths...),
		"route.path_type":         qs("prefix", "exact", "regex", "Prefix", ""),
		"route.grpc":              {"true", "false"},
		"route.tls":               {"true", "false"},
		"route.tls_secret":        qs(dnsNames...),
		"route.timeout":           qs(gwDurations...),
		"route.backend_timeout":   qs(gwDurations...),
		"route.split":             {"{ api = 90 }", "{ api = 0 }", "{ api = 1000000 }", "{ api = 1000001 }", "{ api = -1 }", "{ api = 1.5 }", "{ other = 1 }", "{}", `{ api = "x" }`},
		"route.mirror":            {"service.api", q("api"), "service.other"},
		"route.mirror_percent":    ints,
	}
	for _, h := range hosts {
		d["route.hosts"] = append(d["route.hosts"], list(h))
	}
	for _, slot := range []string{"route.request_headers", "route.response_headers"} {
		for _, n := range headerNames {
			d[slot] = append(d[slot], obj(n, "v"))
		}
		for _, v := range headerValues {
			d[slot] = append(d[slot], obj("X-A", v))
		}
		d[slot] = append(d[slot], obj("X-A", "1", "x-a", "2"))
		many := []string{}
		for i := range 17 {
			many = append(many, "X-"+strings.Repeat("a", i+1), "v")
		}
		d[slot] = append(d[slot], obj(many...))
	}
	for _, slot := range []string{"route.remove_request_headers", "route.remove_response_headers"} {
		for _, n := range headerNames {
			d[slot] = append(d[slot], list(n))
		}
		d[slot] = append(d[slot], list("X-A", "x-a"))
	}
	return d
}

// gatewayInteractions are cases whose slots matter together: TLS on a
// declared gateway in another namespace (a ReferenceGrant, a derived
// listener), timeouts in both orders, gRPC with what does not apply to it.
func gatewayInteractions() []Case {
	edge := func(kv ...string) Case {
		c := Case{Set: map[string]string{"gateway.class": q("envoy"), "route.gateway": "gateway.edge", "route.host": q("api.example.com")}}
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set[kv[i]] = kv[i+1]
		}
		return c
	}
	return []Case{
		edge("route.tls", "true"),
		edge("route.tls", "true", "gateway.namespace", q("infra")),
		edge("route.tls", "true", "gateway.namespace", q("infra"), "gateway.allowed_routes", q("Same")),
		edge("route.tls", "true", "gateway.namespace", q("infra"), "gateway.allowed_routes", q("All"), "gateway.issuer", q("le")),
		edge("route.tls", "true", "route.host", q("*.example.com")),
		edge("route.tls", "true", "listener.protocol", q("HTTPS"), "listener.port", "443", "listener.hostname", q("api.example.com"), "listener.tls_secret", q("x")),
		edge("route.tls", "true", "listener.@label", q("https-api.example.com"), "listener.port", "8443"),
		edge("listener.protocol", q("HTTPS"), "listener.tls_secret", q("cert")),
		edge("listener.protocol", q("HTTPS")),
		edge("listener.hostname", q("*.example.com"), "listener.port", "80"),
		edge("route.timeout", q("10s"), "route.backend_timeout", q("10s")),
		edge("route.timeout", q("10s"), "route.backend_timeout", q("11s")),
		edge("route.backend_timeout", q("11s")),
		edge("route.grpc", "true", "route.path", q("/x")),
		edge("route.grpc", "true", "route.split", "{ api = 1 }", "route.mirror", "service.api", "route.mirror_percent", "50"),
		edge("route.split", "{ api = 1 }", "route.mirror", "service.api", "route.mirror_percent", "100", "route.request_headers", obj("X-A", "1"), "route.remove_request_headers", list("X-B")),
		edge("route.request_headers", obj("X-A", "1"), "route.remove_request_headers", list("x-a")),
	}
}

// TestGatewayCRDValidatorRejects shows the CRD validation is not vacuous:
// objects that break a schema rule, a list-map key, or a CEL rule are
// refused, and a correct one passes.
func TestGatewayCRDValidatorRejects(t *testing.T) {
	const route = `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},"spec":{"parentRefs":[{"name":"g"}],"rules":[{%s"backendRefs":[{"name":"s","port":80}]}]}}`
	if errs, ok := crdErrors([]byte(strings.ReplaceAll(route, "%s", ""))); !ok || len(errs) > 0 {
		t.Fatalf("a correct HTTPRoute: ok=%v errs=%v", ok, errs)
	}
	for _, tc := range []struct{ rule, want string }{
		{`"timeouts":{"request":"1s","backendRequest":"2s"},`, "backendRequest timeout cannot be longer than request timeout"},
		{`"matches":[{"path":{"type":"PathPrefix","value":"/a//b"}}],`, "must not contain '//'"},
		{`"filters":[{"type":"RequestHeaderModifier"}],`, "filter.requestHeaderModifier must be specified"},
		{`"filters":[{"type":"RequestHeaderModifier","requestHeaderModifier":{"set":[{"name":"a","value":"1"},{"name":"a","value":"2"}]}}],`, "Duplicate value"},
		{`"timeouts":{"request":"1d"},`, "should match"},
		{`"sneaky":1,`, "unknown field"},
	} {
		errs, _ := crdErrors([]byte(strings.ReplaceAll(route, "%s", tc.rule)))
		if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
			t.Errorf("%s: want an error containing %q, got %v", tc.rule, tc.want, errs)
		}
	}
	const gw = `{"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"g"},"spec":{"gatewayClassName":"c","listeners":[{"name":"h","port":443,"protocol":"HTTPS","tls":{"mode":"Terminate"}}]}}`
	if errs, _ := crdErrors([]byte(gw)); !strings.Contains(strings.Join(errs, "\n"), "certificateRefs or options must be specified") {
		t.Errorf("a Terminate listener without a certificate: got %v", errs)
	}
}

// TestGatewayGoldenOutputsPassCRDs runs every Gateway API object of the
// golden cases through the CRD validation.
func TestGatewayGoldenOutputsPassCRDs(t *testing.T) {
	files, _ := filepath.Glob("../../golden/*gateway*.txtar")
	objects := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range strings.Split(string(raw), "\n-- ")[1:] {
			name, body, _ := strings.Cut(sec, " --\n")
			if !strings.HasPrefix(name, "out/kubernetes/") {
				continue
			}
			for _, doc := range splitDocs([]byte(body)) {
				js, err := yaml.YAMLToJSON(doc)
				if err != nil {
					t.Fatalf("%s %s: %v", f, name, err)
				}
				if errs, ok := crdErrors(js); ok {
					objects++
					for _, e := range errs {
						t.Errorf("%s %s: %s", filepath.Base(f), name, e)
					}
				}
			}
		}
	}
	if objects < 8 {
		t.Fatalf("found %d Gateway API objects in %d golden cases; expected the gateway cases' objects", objects, len(files))
	}
}
