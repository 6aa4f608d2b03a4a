package lbtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fx "github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/schema"
)

// controlled runs the emitted HAProxy config of lb with an admin socket and
// a state file in a temp dir, and dials the socket.
func controlled(t *testing.T, lb *schema.LoadBalancer) (*lbctl.Client, *lbctltest.Proc, context.Context) {
	t.Helper()
	return controlledOn(t, targets[0], lb)
}

func controlledOn(t *testing.T, tg target, lb *schema.LoadBalancer) (*lbctl.Client, *lbctltest.Proc, context.Context) {
	t.Helper()
	lbctltest.Binary(t, "haproxy")
	dir := t.TempDir()
	lb.Stats = &schema.Stats{Listen: lbctltest.FreePort(t), Path: "/stats",
		Socket: filepath.Join(dir, "admin.sock"), StateFile: stateFile(dir)}
	_, p := run(t, tg, *lb)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := lbctl.Dial(ctx, lb.Stats.Socket)
	if err != nil {
		t.Fatal(err)
	}
	return c, p, ctx
}

// TestLbctlAgreesWithTheEmitter: on a freshly emitted config, whatever
// the features, lbctl finds exactly the model (same backend and server
// names, weights, backup flags, maxconn): an empty plan.
func TestLbctlAgreesWithTheEmitter(t *testing.T) {
	a, b, spare := lbctltest.StartBackend(t, "a"), lbctltest.StartBackend(t, "b"), lbctltest.StartBackend(t, "spare")
	for _, tc := range []struct {
		name    string
		edit    func(*schema.LoadBalancer)
		lenient bool // HAProxy warns about the config (see HAProxyLenient)
	}{
		{"plain", func(*schema.LoadBalancer) {}, false},
		{"weights backup maxconn check", func(lb *schema.LoadBalancer) {
			lb.Algorithm = "weighted_round_robin"
			lb.Backends[0].Weight, lb.Backends[1].Weight, lb.Backends[1].MaxConn = 30, 256, 50
			lb.Backends[2].Backup = true
			lb.HealthCheck = fastCheck()
		}, false},
		{"least connections cookie", func(lb *schema.LoadBalancer) {
			lb.Algorithm = "least_connections"
			lb.Sticky = &schema.Sticky{Cookie: "SRV"}
			lb.Backends[2].Weight = 0 // HAProxy only: Nginx has no weight 0
			lb.Targets = []string{"haproxy"}
		}, false},
		{"ip hash", func(lb *schema.LoadBalancer) { lb.Algorithm = "ip_hash"; lb.Targets = []string{"haproxy"} }, false},
		// The Service DNS name does not resolve here: HAProxy starts the
		// server without an address (init-addr none), and lbctl still
		// recognises it by its host name.
		{"backends_from", func(lb *schema.LoadBalancer) {
			lb.Backends = nil
			lb.BackendsFrom = &schema.BackendsFrom{Service: "api", Namespace: "shop", Port: 8000}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lb := newLB(t, a, b, spare)
			tc.edit(&lb)
			tg := targets[0]
			if tc.lenient {
				tg = lenient
			}
			c, _, ctx := controlledOn(t, tg, &lb)
			p, err := c.Plan(ctx, &lb, lbctl.SyncOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Backend != lbctl.BackendName(&lb) || len(p.Live) != len(lbctl.DesiredServers(&lb)) || len(p.Actions) != 0 {
				t.Errorf("fresh config vs its model: backend %s, %d live servers, plan %v", p.Backend, len(p.Live), p.Actions)
			}
		})
	}
}

func TestDisableDrainEnableMoveTraffic(t *testing.T) {
	app1, app2 := lbctltest.StartBackend(t, "app1"), lbctltest.StartBackend(t, "app2")
	lb := newLB(t, app1, app2)
	lb.Targets = []string{"haproxy"}
	lb.Sticky = &schema.Sticky{Cookie: "SRV"}
	c, _, ctx := controlled(t, &lb)
	be := lbctl.BackendName(&lb)
	hc := client()
	step := func(what string, server string, state lbctl.AdminState, want map[string]int) {
		t.Helper()
		if err := c.SetState(ctx, be, server, state); err != nil {
			t.Fatal(err)
		}
		if got := lbctltest.Spread(t, hc, url(lb), 10); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: new clients went %v, want %v", what, got, want)
		}
	}
	step("app1 disabled", "app1", lbctl.Maint, map[string]int{"app2": 10})
	step("app1 enabled", "app1", lbctl.Ready, map[string]int{"app1": 5, "app2": 5})
	step("app2 draining", "app2", lbctl.Drain, map[string]int{"app1": 10})
	// Drain keeps sticky clients: one pinned to app2 still reaches it,
	// which is what lets sessions finish before a removal.
	if _, got, _ := fx.Get(t, hc, url(lb), cookie("SRV", "app2")); got != "app2" {
		t.Errorf("a client pinned to draining app2 went to %q", got)
	}
	step("app2 in maint", "app2", lbctl.Maint, map[string]int{"app1": 10})
	if _, got, _ := fx.Get(t, hc, url(lb), cookie("SRV", "app2")); got != "app1" {
		t.Errorf("a client pinned to app2 in maint went to %q, want app1", got)
	}
	step("app2 enabled", "app2", lbctl.Ready, map[string]int{"app1": 5, "app2": 5})
}

func TestSyncAfterModelEditNeedsNoReload(t *testing.T) {
	app1, app2, app3 := lbctltest.StartBackend(t, "app1"), lbctltest.StartBackend(t, "app2"), lbctltest.StartBackend(t, "app3")
	lb := newLB(t, app1, app2)
	lb.Targets = []string{"haproxy"}
	lb.Algorithm = "weighted_round_robin"
	lb.HealthCheck = fastCheck()
	c, proc, ctx := controlled(t, &lb)
	before, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The HCL changes: app1 leaves, app3 arrives with weight 255, app2
	// drops to weight 85 and gets maxconn 20.
	edited := lb
	edited.Backends = []schema.Backend{lb.Backends[1], {Name: "app3", Host: "127.0.0.1", Port: app3.Port, Weight: 255}}
	edited.Backends[0].Weight, edited.Backends[0].MaxConn = 85, 20
	start := time.Now()
	res, err := c.Sync(ctx, &edited)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Sync applied %d changes and saved state in %v (measured, not asserted)", len(res.Done), time.Since(start))
	var did []string
	for _, a := range res.Done {
		did = append(did, string(a.Kind)+" "+a.Server)
	}
	if want := "add app3, weight app2, maxconn app2, remove app1"; strings.Join(did, ", ") != want {
		t.Errorf("Sync did %q, want %q", strings.Join(did, ", "), want)
	}
	if res.StateFile != lb.Stats.StateFile {
		t.Errorf("state saved to %q, want %q", res.StateFile, lb.Stats.StateFile)
	}
	after, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pid := fmt.Sprintf("Pid: %d\n", proc.PID); !strings.Contains(before, pid) || !strings.Contains(after, pid) || !proc.Alive() {
		t.Fatalf("HAProxy was replaced: want %q before and after", pid)
	}
	// app3 is checked before it gets traffic (rise 1, 1s).
	eventually.True(t, wait, "app3 serving", func() bool {
		return lbctltest.Spread(t, client(), url(lb), 4)["app3"] > 0
	})
	got := lbctltest.Spread(t, client(), url(lb), 68)
	if got["app1"] != 0 || !fx.Within(got["app3"], 51, 3) || got["app2"]+got["app3"] != 68 {
		t.Errorf("after sync, app2:app3 = 85:255 over 68 requests: %v, want about 17/51", got)
	}
	servers, err := c.Servers(ctx, lbctl.BackendName(&lb))
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, s := range servers {
		rows = append(rows, fmt.Sprintf("%s w%d max%d %s", s.Name, s.Weight, s.MaxConn, s.Admin))
	}
	if strings.Join(rows, ", ") != "app2 w85 max20 ready, app3 w255 max0 ready" {
		t.Errorf("show servers state: %s", strings.Join(rows, ", "))
	}
	if p, err := c.Plan(ctx, &edited, lbctl.SyncOptions{}); err != nil || len(p.Actions) != 0 {
		t.Errorf("plan after sync: %v, %v", p.Actions, err)
	}
}

// TestSavedStateSurvivesARestart: a drain saved with SaveState is applied
// by a new HAProxy started on the same emitted config (server-state-file).
func TestSavedStateSurvivesARestart(t *testing.T) {
	app1, app2 := lbctltest.StartBackend(t, "app1"), lbctltest.StartBackend(t, "app2")
	lb := newLB(t, app1, app2)
	lb.Targets = []string{"haproxy"}
	c, proc, ctx := controlled(t, &lb)
	be := lbctl.BackendName(&lb)
	if err := c.SetState(ctx, be, "app1", lbctl.Drain); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWeight(ctx, be, "app2", 7); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveState(ctx, lb.Stats.StateFile); err != nil {
		t.Fatal(err)
	}
	// Restart: stop this HAProxy (by its PID) and start one on the same
	// config; run() re-emits it identically.
	if err := proc.Stop(); err != nil {
		t.Fatal(err)
	}
	// A killed HAProxy leaves its socket file behind; run() waits for the
	// file to appear, so remove it, or the wait ends before the new
	// process listens (seen under stress-ng: "nothing listens on it").
	if err := os.Remove(lb.Stats.Socket); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	_, proc2 := run(t, lenient, lb)
	c2, err := lbctl.Dial(ctx, lb.Stats.Socket)
	if err != nil {
		t.Fatal(err)
	}
	if proc2.PID == proc.PID {
		t.Fatal("no restart happened")
	}
	s1, err := c2.Server(ctx, be, "app1")
	if err != nil {
		t.Fatal(err)
	}
	s2, err := c2.Server(ctx, be, "app2")
	if err != nil {
		t.Fatal(err)
	}
	if s1.Admin != lbctl.Drain || s2.Weight != 7 {
		t.Errorf("after restart: app1 %s (want drain), app2 weight %d (want 7)", s1.Admin, s2.Weight)
	}
}

// lenient is the HAProxy target without -dW (see lbctltest.HAProxyLenient).
var lenient = target{name: "haproxy", emit: targets[0].emit, path: targets[0].path,
	start: func(t *testing.T, dir, cfg string, ports []int, files ...string) *lbctltest.Proc {
		return lbctltest.HAProxyLenient(t, dir, cfg, ports, files...)
	}}

func cookie(name, value string) *http.Cookie { return &http.Cookie{Name: name, Value: value} }

// TestSyncAddsToAnIPHashBackend: ip_hash is emitted as a consistent
// source hash, which HAProxy counts as dynamic: Sync can add to it.
func TestSyncAddsToAnIPHashBackend(t *testing.T) {
	app1, app2 := lbctltest.StartBackend(t, "app1"), lbctltest.StartBackend(t, "app2")
	lb := newLB(t, app1)
	lb.Targets = []string{"haproxy"}
	lb.Algorithm = "ip_hash"
	c, _, ctx := controlled(t, &lb)
	edited := lb
	edited.Backends = append([]schema.Backend{}, lb.Backends...)
	edited.Backends = append(edited.Backends, schema.Backend{Name: "app2", Host: "127.0.0.1", Port: app2.Port, Weight: 100})
	res, err := c.Sync(ctx, &edited)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Done) != 1 || res.Done[0].Kind != lbctl.ActAdd {
		t.Errorf("Sync did %v, want one add", res.Done)
	}
	// One client address hashes to one server, whichever it is.
	got := lbctltest.Spread(t, client(), url(lb), 10)
	if len(got) != 1 || got["status 503"] != 0 {
		t.Errorf("one client behind ip_hash reached %v, want a single server", got)
	}
}
