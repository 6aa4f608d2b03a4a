package estate

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/nbac/nbac/lang"
)

func TestDeterministic(t *testing.T) {
	a, b := Generate(50, 7).Files(), Generate(50, 7).Files()
	if len(a) != len(b) {
		t.Fatalf("%d files vs %d", len(a), len(b))
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs with one seed", name)
		}
	}
	c := Generate(50, 8).Files()
	if bytes.Equal(a["services_000.hcl"], c["services_000.hcl"]) {
		t.Error("another seed gave the same services")
	}
}

// TestCompiles loads each generated estate with nbac's front-end: it must
// compile without a diagnostic, and the model must hold exactly what the
// Estate says it does.
func TestCompiles(t *testing.T) {
	for _, n := range []int{10, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			e := Generate(n, 1)
			dir := t.TempDir()
			if err := e.Write(dir); err != nil {
				t.Fatal(err)
			}
			res := lang.Load(dir, lang.Options{})
			if len(res.Diags) > 0 {
				t.Fatalf("diagnostics:\n%s", res.Diags.Error())
			}
			m := res.Model
			if len(m.Services) != n || len(m.LoadBalancers) != len(e.LBs) || len(m.Caches) != len(e.Caches) || len(m.Queues) != len(e.Queues) {
				t.Fatalf("model has %d services, %d LBs, %d caches, %d queues; estate %d, %d, %d, %d",
					len(m.Services), len(m.LoadBalancers), len(m.Caches), len(m.Queues), n, len(e.LBs), len(e.Caches), len(e.Queues))
			}
			for _, want := range e.Services {
				got := m.Service(want.Name)
				if got == nil {
					t.Fatalf("service %s missing", want.Name)
				}
				if got.Image != want.Image || got.Port != want.Port || got.Resources.CPURequest != want.Size.CPURequest ||
					got.Resources.MemoryLimit != want.Size.MemoryLimit || len(got.Env) != len(want.Env) || len(got.Uses) != len(want.Uses) {
					t.Errorf("service %s lowered to %+v, estate says %+v", want.Name, got, want)
				}
				for k, v := range want.Env {
					if got.Env[k] != v {
						t.Errorf("service %s env %s = %q, want %q", want.Name, k, got.Env[k], v)
					}
				}
				if (got.Ingress == nil) != (want.Ingress == nil) || (got.Autoscale == nil) != (want.Autoscale == nil) {
					t.Errorf("service %s: ingress/autoscale presence differs", want.Name)
				}
			}
		})
	}
}

// TestEveryLBFeature checks that an estate with a few load balancers uses
// every feature the benchmark claims to cover.
func TestEveryLBFeature(t *testing.T) {
	seen := map[string]bool{}
	for _, lb := range Generate(50, 1).LBs {
		seen["algorithm="+lb.Algorithm] = true
		seen["health="+lb.Health] = true
		seen["mode="+lb.Mode] = true
		seen["sticky="+lb.Sticky] = true
		seen[fmt.Sprint("tls=", lb.TLS, " hsts=", lb.HSTS)] = true
		seen[fmt.Sprint("ratelimit=", lb.RateLimit > 0)] = true
		seen[fmt.Sprint("stats=", lb.Stats, " timeouts=", lb.Timeouts)] = true
		for _, b := range lb.Backends {
			seen[fmt.Sprint("backup=", b.Backup)] = true
		}
		if n := len(lb.Backends); n < 3 || n > 10 {
			t.Errorf("%s has %d backends, want 3 to 10", lb.Name, n)
		}
	}
	for _, f := range []string{
		"algorithm=round_robin", "algorithm=least_connections", "algorithm=ip_hash", "algorithm=weighted_round_robin",
		"health=http", "health=https", "health=tcp", "mode=http", "mode=tcp", "sticky=cookie", "sticky=client_ip",
		"tls=true hsts=true", "tls=true hsts=false", "ratelimit=true", "stats=true timeouts=true", "backup=true",
	} {
		if !seen[f] {
			t.Errorf("no load balancer has %s", f)
		}
	}
}
