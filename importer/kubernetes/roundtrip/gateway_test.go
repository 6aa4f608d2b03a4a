package roundtrip

import (
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
