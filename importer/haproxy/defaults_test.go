package haproxy

import (
	"strings"
	"testing"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// TestDefaultsFrom: a proxy takes the defaults its `from NAME` names, not
// the last ones above it (HAProxy 2.4+ named defaults).
func TestDefaultsFrom(t *testing.T) {
	src := `defaults slow
    mode http
    timeout server 5m

defaults fast
    mode http
    timeout server 2s

frontend fe_a from slow
    bind :8080
    default_backend be_a

backend be_a from slow
    server s1 10.0.0.1:80
`
	r := lbhcltest.ImportText(t, Import, "haproxy.cfg", src)
	hcl := string(importer.Bytes(r.Files["load_balancers.hcl"]))
	if !strings.Contains(hcl, `server = "5m"`) || strings.Contains(hcl, `"2s"`) {
		t.Fatalf("the proxy did not take its named defaults:\n%s", hcl)
	}
}
