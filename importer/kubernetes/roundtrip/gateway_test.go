package roundtrip

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes"
)

// TestCheckCatchesAChangedRoute: an imported Gateway API estate whose
// route or gateway is then changed (other weights, another backend or
// mirror target, another path, another mirror share, a dropped header, another gateway class) must show the
// change as unexpected at the right path of the route or Gateway; the
// Gateway API defaults and rules must not excuse it.
func TestCheckCatchesAChangedRoute(t *testing.T) {
	cases := []struct {
		name, file, block, attr, value, wantPath string
	}{
		{"weights", "services.hcl", "store-v1", "split", `{ store-v1 = 50, store-v2 = 50 }`, "spec.rules[0].backendRefs[0].weight"},
		{"path", "services.hcl", "store-v1", "path", `"/shop"`, "spec.rules[0].matches[0].path.value"},
		{"mirror", "services.hcl", "store-v1", "mirror_percent", "50", "spec.rules[0].filters[2].requestMirror.percent"},
		{"mirror target", "services.hcl", "store-v1", "mirror", "service.store-v2", "spec.rules[0].filters[2].requestMirror.backendRef.name"},
		{"backend", "services.hcl", "search", "split", "{ search = 1, web = 1 }", "spec.rules[0].backendRefs[1]"},
		{"header", "services.hcl", "store-v1", "request_headers", `{ X-Env = "staging" }`, "spec.rules[0].filters[0].requestHeaderModifier.set"},
		{"timeout", "services.hcl", "store-v1", "timeout", `"31s"`, "spec.rules[0].timeouts.request"},
		{"hosts", "services.hcl", "search", "hosts", `["search.internal.example.com"]`, "spec.hostnames"},
		{"class", "gateways.hcl", "edge", "class", `"istio"`, "spec.gatewayClassName"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := kubernetes.Import([]string{"../testdata/estates/gateway-api"}, importer.Options{})
			body := findBlock(t, e.Result.Files[tc.file].Body(), tc.block)
			if tc.file == "services.hcl" {
				body = findBlock(t, body, "")
			}
			body.SetAttributeRaw(tc.attr, rawTokens(t, tc.value))
			wantUnexpected(t, e, tc.attr, tc.wantPath)
		})
	}
}

// findBlock is the body of the block labelled label (a service or a
// gateway), or with "" the route block inside a service's body.
func findBlock(t *testing.T, body *hclwrite.Body, label string) *hclwrite.Body {
	t.Helper()
	for _, b := range body.Blocks() {
		if label == "" && b.Type() == "route" || label != "" && len(b.Labels()) == 1 && b.Labels()[0] == label {
			return b.Body()
		}
	}
	t.Fatalf("no block %q", label)
	return nil
}

// hostileApp is a Deployment and its Service for the hostile cases.
const hostileApp = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: "registry.example.com/api:1", ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080}]
---
`

// TestHostileGatewayAPIValuesAreReported: Gateway API values the typed
// decoding lets through but nbac refuses must be reported at their object
// (the import still succeeds), never written as HCL that does not build.
func TestHostileGatewayAPIValuesAreReported(t *testing.T) {
	route := func(spec string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api, namespace: shop}\nspec:\n" + spec
	}
	gateway := func(spec string) string {
		return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: edge, namespace: shop}\nspec:\n" + spec + "\n---\n" +
			route("  parentRefs: [{name: edge}]\n  hostnames: [a.example.com]\n  rules: [{backendRefs: [{name: api, port: 8080}]}]")
	}
	cases := map[string]string{
		"weight too large":   route("  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api, port: 8080, weight: 2000000}]}]"),
		"only weight zero":   route("  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api, port: 8080, weight: 0}]}]"),
		"zero timeout":       route("  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api}], timeouts: {request: 0s}}]"),
		"day-long timeout":   route("  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api}], timeouts: {request: 25h}}]"),
		"backend > request":  route("  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api}], timeouts: {request: 1s, backendRequest: 2s}}]"),
		"sub-millisecond":    route("  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api}], timeouts: {request: 1500us}}]"),
		"upper-case host":    route("  parentRefs: [{name: edge}]\n  hostnames: [API.Example.com]\n  rules: [{backendRefs: [{name: api}]}]"),
		"IP host":            route("  parentRefs: [{name: edge}]\n  hostnames: [\"10.0.0.1\"]\n  rules: [{backendRefs: [{name: api}]}]"),
		"relative path":      route("  parentRefs: [{name: edge}]\n  rules: [{matches: [{path: {value: relative}}], backendRefs: [{name: api}]}]"),
		"encoded slash":      route("  parentRefs: [{name: edge}]\n  rules: [{matches: [{path: {value: /a%2fb}}], backendRefs: [{name: api}]}]"),
		"header twice":       route("  parentRefs: [{name: edge}]\n  rules: [{filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-A, value: a}, {name: x-a, value: b}]}}], backendRefs: [{name: api}]}]"),
		"header line break":  route("  parentRefs: [{name: edge}]\n  rules: [{filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-A, value: \"a\\r\\nSet-Cookie: x\"}]}}], backendRefs: [{name: api}]}]"),
		"mirror percent 0":   route("  parentRefs: [{name: edge}]\n  rules: [{filters: [{type: RequestMirror, requestMirror: {backendRef: {name: api}, percent: 0}}], backendRefs: [{name: api}]}]"),
		"17 hosts":           route("  parentRefs: [{name: edge}]\n  hostnames: [h0.example.com, h1.example.com, h2.example.com, h3.example.com, h4.example.com, h5.example.com, h6.example.com, h7.example.com, h8.example.com, h9.example.com, h10.example.com, h11.example.com, h12.example.com, h13.example.com, h14.example.com, h15.example.com, h16.example.com]\n  rules: [{backendRefs: [{name: api}]}]"),
		"bare wildcard host": route("  parentRefs: [{name: edge}]\n  hostnames: [\"*\"]\n  rules: [{backendRefs: [{name: api}]}]"),
		"bad remove header":  route("  parentRefs: [{name: edge}]\n  rules: [{filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: [\"a b\"]}}], backendRefs: [{name: api}]}]"),
		"bad namespace":      route("  parentRefs: [{name: edge, namespace: Bad_NS}]\n  rules: [{backendRefs: [{name: api}]}]"),
		"bad issuer":         strings.Replace(gateway("  gatewayClassName: cilium\n  listeners: [{name: http, protocol: HTTP, port: 80}]"), "namespace: shop}", "namespace: shop, annotations: {cert-manager.io/cluster-issuer: \"Bad Issuer\"}}", 1),
		"bad gateway name":   route("  parentRefs: [{name: Edge_1}]\n  rules: [{backendRefs: [{name: api}]}]"),
		"empty class":        gateway("  gatewayClassName: \"\"\n  listeners: [{name: http, protocol: HTTP, port: 80}]"),
		"bad listener name":  gateway("  gatewayClassName: cilium\n  listeners: [{name: Bad_Name, protocol: HTTP, port: 80}]"),
		"listener port 0":    gateway("  gatewayClassName: cilium\n  listeners: [{name: http, protocol: HTTP, port: 0}]"),
		"listeners clash":    gateway("  gatewayClassName: cilium\n  listeners: [{name: a, protocol: HTTP, port: 80}, {name: b, protocol: HTTP, port: 80}]"),
		"https without cert": gateway("  gatewayClassName: cilium\n  listeners: [{name: a, protocol: HTTPS, port: 443, tls: {certificateRefs: [{name: \"\"}]}}]"),
	}
	for name, yaml := range cases {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "in.yaml")
			if err := os.WriteFile(file, []byte(hostileApp+yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			e := kubernetes.Import([]string{file}, importer.Options{})
			if e.Result.Diags.HasErrors() {
				t.Fatalf("import: %v", e.Result.Diags)
			}
			reported := false
			for _, d := range e.Result.Diags {
				reported = reported || d.Subject != nil && d.Subject.Filename == file && strings.Contains(d.Summary, "Not imported")
			}
			if !reported {
				t.Errorf("nothing reported:\n%s", importer.Bytes(e.Result.Files["services.hcl"]))
			}
			if _, _, diags := Check(e); diags.HasErrors() {
				t.Fatalf("the imported HCL does not build: %v\n%s", diags, importer.Bytes(e.Result.Files["services.hcl"]))
			}
		})
	}
}
