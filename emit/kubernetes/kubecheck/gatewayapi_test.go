package kubecheck

import (
	"strings"
	"testing"
)

// An HTTPRoute appended to the valid file (before its NetworkPolicy, in
// nbac's order) must name the Service's port; one in another file is not
// judged.
func TestRouteBackendPorts(t *testing.T) {
	valid := readValid(t)
	const route = `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  labels:
    app.kubernetes.io/component: server
    app.kubernetes.io/instance: nba-mcp-server
    app.kubernetes.io/managed-by: nbac
    app.kubernetes.io/name: nba-mcp-server
    app.kubernetes.io/part-of: nba-mcp
    app.kubernetes.io/version: v1.0.0
  name: nba-mcp-server
  namespace: nba-mcp
spec:
  parentRefs:
  - name: edge
  rules:
  - backendRefs:
    - name: nba-mcp-server
      port: PORT
    - name: elsewhere
      port: 1234
    filters:
    - requestMirror:
        backendRef:
          name: nba-mcp-server
          port: MIRROR
      type: RequestMirror
`
	i := strings.Index(valid, "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy")
	if i < 0 {
		i = len(valid)
	}
	with := func(port, mirror string) string {
		r := strings.NewReplacer("PORT", port, "MIRROR", mirror).Replace(route)
		return valid[:i] + r + valid[i:]
	}
	if ps := Check([]byte(with("8000", "8000"))); len(ps) > 0 {
		t.Fatalf("valid route rejected: %v", ps)
	}
	ps := Check([]byte(with("8001", "9000")))
	var fields []string
	for _, p := range ps {
		if p.Kind == "HTTPRoute" {
			fields = append(fields, p.Field+": "+p.Message)
		}
	}
	got := strings.Join(fields, "\n")
	for _, want := range []string{"spec.rules[0].backendRefs[0].port: Service nba-mcp-server has no port 8001", "spec.rules[0].filters[0].requestMirror.backendRef.port: Service nba-mcp-server has no port 9000"} {
		if !strings.Contains(got, want) {
			t.Errorf("want %q, got %v", want, ps)
		}
	}
	if strings.Contains(got, "elsewhere") {
		t.Errorf("a backend in another file was judged: %s", got)
	}
}
