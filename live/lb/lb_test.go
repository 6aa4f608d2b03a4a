package lb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/plan"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/schema"
)

// running compiles a configuration with one HAProxy load balancer (two
// real backends, an admin socket in a temp dir) and one Nginx-only load
// balancer, and runs the real haproxy on the emitted config.
func running(t *testing.T) (*schema.Model, string) {
	t.Helper()
	lbctltest.Binary(t, "haproxy")
	dir := t.TempDir()
	a, b := lbctltest.StartBackend(t, "a"), lbctltest.StartBackend(t, "b")
	port, stats := lbctltest.FreePort(t), lbctltest.FreePort(t)
	socket := filepath.Join(dir, "admin.sock")
	src := fmt.Sprintf(`project "edge" {
  namespace = "edge"
}
load_balancer "web" {
  targets = ["haproxy"]
  listen  = %d
  algorithm = "weighted_round_robin"
  backend "a" {
    address = "127.0.0.1:%d"
    weight  = 30
  }
  backend "b" {
    address = "127.0.0.1:%d"
    weight  = 70
  }
  stats {
    listen = %d
    socket = %q
  }
}
load_balancer "static" {
  targets = ["nginx"]
  listen  = 9999
  backend "s" { address = "127.0.0.1:1" }
}
`, port, a.Port, b.Port, stats, socket)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags.Error())
	}
	arts, diags := build.Artifacts(res.Model)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, art := range arts {
		if art.Path == "haproxy/web.cfg" {
			lbctltest.HAProxy(t, dir, string(art.Data), []int{port}, socket)
			return res.Model, socket
		}
	}
	t.Fatal("no haproxy/web.cfg in the build")
	return nil, ""
}

func deadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Against the HAProxy running the emitted config the plan is empty; the
// Nginx load balancer is a note. A weight and a state an operator changed
// on the running HAProxy are drift; Apply (what `nbac lb sync` does) puts
// them back, and the plan is empty again.
func TestPlanAndApplyAgainstRunningHAProxy(t *testing.T) {
	m, socket := running(t)
	ctx := deadline(t)
	p, err := Compute(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if ch := p.Changes(); len(ch) != 0 {
		t.Fatalf("fresh HAProxy: changes %+v, want none", ch)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `"static"`) || !strings.Contains(p.Notes[0], "Nginx has no runtime API") {
		t.Fatalf("notes = %q, want the Nginx load balancer named", p.Notes)
	}

	c, err := lbctl.Dial(ctx, socket)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetWeight(ctx, "be_web", "a", 5); err != nil {
		t.Fatal(err)
	}
	if err := c.SetState(ctx, "be_web", "b", lbctl.Maint); err != nil {
		t.Fatal(err)
	}
	p, err = Compute(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	ch := p.Changes()
	if len(ch) != 1 || len(ch[0].Objects) != 2 {
		t.Fatalf("changes = %+v, want servers a and b of one backend", ch)
	}
	var got []string
	for _, o := range ch[0].Objects {
		for _, f := range o.Fields {
			got = append(got, o.Namespace+"/"+o.Name+" "+plan.FieldText(f))
		}
	}
	want := []string{"be_web/a weight: 5 -> 30", "be_web/b state: maint -> ready"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("fields = %q, want %q", got, want)
	}
	done, err := p.Apply(ctx)
	if err != nil || len(done) != 2 {
		t.Fatalf("apply: %v %v", done, err)
	}
	s, err := c.Server(ctx, "be_web", "a")
	if err != nil || s.Weight != 30 {
		t.Fatalf("server a after apply: %+v %v", s, err)
	}
	p, err = Compute(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if ch := p.Changes(); len(ch) != 0 {
		t.Fatalf("after apply: changes %+v", ch)
	}
}

// An HAProxy that is not running is a note, not a failure of the plan.
func TestUnreachableHAProxyIsANote(t *testing.T) {
	m := &schema.Model{LoadBalancers: []schema.LoadBalancer{{Name: "gone", Targets: []string{"haproxy"},
		Stats: &schema.Stats{Socket: filepath.Join(t.TempDir(), "none.sock")}}}}
	p, err := Compute(deadline(t), m)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], `load_balancer "gone": HAProxy does not answer`) {
		t.Fatalf("notes = %q", p.Notes)
	}
}
