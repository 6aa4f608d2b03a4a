package lbcheck_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/emit/haproxy"
	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/emit/lbconf"
	"github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/emit/nginx"
	"github.com/nbac/nbac/schema"
	"github.com/nbac/nbac/schema/validate"
)

// FuzzLoadBalancer feeds random strings into every string field of a load
// balancer. Either validation refuses the model (and then neither emitter
// writes a file), or both emitters succeed, the configurations have the
// intended structure, and both real validators accept them.
func FuzzLoadBalancer(f *testing.F) {
	f.Add("edge", "app.example.com", "/healthz", "/health", "app.example.com", "GET", "app1", "127.0.0.1", "SERVERID", "/stats", "/run/edge.sock", "/var/lib/edge.state", "round_robin", 8080, 100, 10)
	f.Add("a", "*.example.org", "", "/ready?x=1&y", "", "HEAD", "b_2", "::1", "", "", "", "", "ip_hash", 1, 1, 1)
	f.Add("edge", "app.example.com", "/h;", "/health\n", "a b", "GET", "app1", "10.0.0.1", "SID$host", "/s", "/x#", "", "least_connections", 65535, 256, 0)
	f.Add("e}", "{", "%[src]", "${HOME}", "'", "\"", "x\x00", "1.2.3.4%eth0", "a-b", "/a/../b", "/é", "", "weighted_round_robin", 0, -1, 1000001)
	f.Fuzz(func(t *testing.T, name, serverName, healthPath, hcPath, hcHost, hcMethod, beName, beHost, cookie, statsPath, socket, stateFile, algorithm string, listen, weight, rate int) {
		lb := lbtest.Base("edge")
		lb.Name = name
		lb.Listen = listen
		lb.Backends[0].Weight = weight
		lb.RateLimit = &schema.RateLimit{RequestsPerSecond: rate, Burst: rate}
		lb.Algorithm = algorithm
		if serverName != "" {
			lb.ServerNames = []string{serverName}
		}
		lb.HealthPath = healthPath
		hc := lbtest.HealthCheck()
		hc.Path, hc.Host, hc.Method = hcPath, hcHost, hcMethod
		lb.HealthCheck = hc
		lb.Backends[0].Name = beName
		lb.Backends[0].Host = beHost
		if cookie != "" {
			lb.Sticky = &schema.Sticky{Cookie: cookie}
		}
		lb.Stats = &schema.Stats{Listen: 8404, Path: statsPath, Socket: socket, StateFile: stateFile}
		m := lbtest.Model(lb)

		valid := !validate.Model(m).HasErrors()
		hArts, hDiags := haproxy.Emit(m)
		nArts, nDiags := nginx.Emit(m)
		if !valid {
			if len(hArts)+len(nArts) != 0 || !hDiags.HasErrors() || !nDiags.HasErrors() {
				t.Fatalf("invalid model emitted: haproxy %d files %v; nginx %d files %v", len(hArts), hDiags, len(nArts), nDiags)
			}
			return
		}
		if hDiags.HasErrors() || nDiags.HasErrors() || len(hArts) != 1 || len(nArts) != 1 {
			t.Fatalf("valid model not emitted: %v\n%v", errs(hDiags), errs(nDiags))
		}
		checkHAProxyShape(t, m, string(hArts[0].Data))
		checkNginxShape(t, m, string(nArts[0].Data))
		lbcheck.Require(t)
		if err := lbcheck.HAProxy(hArts[0].Data); err != nil {
			t.Fatal(err)
		}
		if err := lbcheck.Nginx(nArts[0].Data); err != nil {
			t.Fatal(err)
		}
	})
}

func lines(cfg string) []string {
	var out []string
	for _, l := range strings.Split(cfg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// checkHAProxyShape: exactly the sections nbac writes, one server line per
// backend carrying its name and address, and the bind on the listen port.
func checkHAProxyShape(t *testing.T, m *schema.Model, cfg string) {
	t.Helper()
	lb := &m.LoadBalancers[0]
	var sections, servers []string
	for _, l := range lines(cfg) {
		f := strings.Fields(l)
		switch f[0] {
		case "global", "defaults", "frontend", "backend":
			sections = append(sections, l)
		case "server":
			servers = append(servers, f[1]+" "+f[2])
		}
	}
	want := []string{"global", "defaults", "frontend fe_" + lb.Name, "backend be_" + lb.Name, "frontend stats_" + lb.Name}
	if strings.Join(sections, "|") != strings.Join(want, "|") {
		t.Fatalf("sections %q, want %q\n%s", sections, want, cfg)
	}
	ss := lbconf.Servers(m, lb)
	if len(servers) != len(ss) {
		t.Fatalf("servers %q\n%s", servers, cfg)
	}
	for i, s := range ss {
		if servers[i] != s.Name+" "+s.Addr() {
			t.Fatalf("server %d is %q, want %q", i, servers[i], s.Name+" "+s.Addr())
		}
	}
}

// checkNginxShape: balanced braces, every statement ends in ';' or '{', one
// server line per backend, the listen port.
func checkNginxShape(t *testing.T, m *schema.Model, cfg string) {
	t.Helper()
	lb := &m.LoadBalancers[0]
	depth, servers := 0, 0
	for _, l := range lines(cfg) {
		switch {
		case l == "}":
			depth--
		case strings.HasSuffix(l, "{"):
			depth++
		case !strings.HasSuffix(l, ";"):
			t.Fatalf("line %q neither ends a statement nor opens a block\n%s", l, cfg)
		case strings.HasPrefix(l, "server ") && strings.Contains(l, " weight="):
			servers++
		}
		if depth < 0 {
			t.Fatalf("unbalanced braces\n%s", cfg)
		}
	}
	if depth != 0 || servers != len(lbconf.Servers(m, lb)) {
		t.Fatalf("depth %d, %d servers\n%s", depth, servers, cfg)
	}
	if want := fmt.Sprintf("\n        listen %d;\n", lb.Listen); !strings.Contains(cfg, want) {
		t.Fatalf("no %q\n%s", want, cfg)
	}
}

func errs(d hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, x := range d {
		if x.Severity == hcl.DiagError {
			out = append(out, x)
		}
	}
	return out
}
