// Package graphtest holds what the graph package's tests and the browser
// test of its HTML page (conformance/graphhtml) share: the hostile model
// and the loud skip when a real tool is missing.
package graphtest

import (
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/nbac/nbac/schema"
)

// TB is the part of testing.TB this package uses.
type TB interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
}

// RequireTool returns the path of the first of names found on PATH, or
// skips the test loudly, saying which Debian package to install (fails it
// under NBAC_REQUIRE_SERVICES=1, as CI runs).
func RequireTool(t TB, debianPackage string, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := "SKIPPING: " + strings.Join(names, " or ") + " is not installed (apt-get install -y " + debianPackage + "): this test against the real program did NOT run"
	if os.Getenv("NBAC_REQUIRE_SERVICES") == "1" {
		t.Fatal(msg + " (NBAC_REQUIRE_SERVICES=1)")
	}
	t.Skip(msg)
	return ""
}

// Hostile are strings that try to end a DOT string, inject a Graphviz
// escape or attribute, break out of an SVG comment or an HTML script, or
// are not UTF-8 at all.
var Hostile = []string{
	`api" [label="pwned"]; "x`,
	`back\slash\N\G\l\n\"`,
	"new\nline\rcarriage\ttab\x00nul\u2028sep",
	`</script><script>console.error("xss")</script>`,
	`--><img src=x onerror="console.error('xss')"><!--`,
	`&lt;b&gt; &amp; & ]]> <![CDATA[ x ]]>`,
	"bad utf8 \xff\xfe end",
	`{ } ; -> -- digraph subgraph`,
}

// HostileModel is a model no front end would produce (names are checked
// there) with a service, a cache and a redis named by each Hostile string
// and holding it in their values: the writers must be safe on their own.
func HostileModel() *schema.Model {
	m := &schema.Model{Version: schema.Version, Project: schema.Project{Name: Hostile[0], Namespace: Hostile[3]}}
	for i, h := range Hostile {
		m.Services = append(m.Services, schema.Service{
			Name: h, Image: h, Port: 8000 + i, Expose: "ClusterIP", Replicas: 1,
			Env:  map[string]string{"K": h},
			Uses: []schema.Ref{{Kind: "cache", Name: h}},
		})
		m.Caches = append(m.Caches, schema.Cache{Name: h, L2: &schema.L2Cache{Redis: h, KeyPrefix: h}})
		m.Redis = append(m.Redis, schema.Redis{Name: h, Addresses: []string{h}})
	}
	slices.SortFunc(m.Services, func(a, b schema.Service) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(m.Caches, func(a, b schema.Cache) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(m.Redis, func(a, b schema.Redis) int { return strings.Compare(a.Name, b.Name) })
	return m
}
