package lbctl_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/lbctl"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/schema"
)

// live is a running HAProxy with two backends app1 and app2 behind
// backend "be_web", and a client on its admin socket.
type live struct {
	proc   *lbctltest.Proc
	c      *lbctl.Client
	url    string
	app1   *lbctltest.Backend
	app2   *lbctltest.Backend
	dir    string
	socket string
}

func startLive(t *testing.T) *live {
	t.Helper()
	lbctltest.Binary(t, "haproxy")
	tmpl, err := os.ReadFile("testdata/runtime.cfg.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l := &live{dir: dir, socket: filepath.Join(dir, "admin.sock")}
	l.app1 = lbctltest.StartBackend(t, "app1")
	l.app2 = lbctltest.StartBackend(t, "app2")
	port := lbctltest.FreePort(t)
	cfg := lbctltest.Render(string(tmpl), map[string]any{"DIR": dir, "PORT": port, "APP1": l.app1.Port, "APP2": l.app2.Port})
	l.proc = lbctltest.HAProxy(t, dir, cfg, []int{port}, l.socket)
	l.url = fmt.Sprintf("http://127.0.0.1:%d/", port)
	l.c, err = lbctl.Dial(ctx(t), l.socket)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestServersReadsTypedRows(t *testing.T) {
	l := startLive(t)
	servers, err := l.c.Servers(ctx(t), "be_web")
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) != 2 {
		t.Fatalf("got %d servers, want 2: %+v", len(servers), servers)
	}
	s := servers[1]
	if s.Backend != "be_web" || s.Name != "app2" || s.Addr != "127.0.0.1" || s.Port != l.app2.Port ||
		s.Admin != lbctl.Ready || s.Op != lbctl.Running || s.Weight != 100 || s.Backup || s.Status != "no check" {
		t.Errorf("app2 = %+v", s)
	}
}

func TestStateChangesMoveTraffic(t *testing.T) {
	l := startLive(t)
	c := lbctltest.Client()

	got := lbctltest.Spread(t, c, l.url, 20)
	if got["app1"] != 10 || got["app2"] != 10 {
		t.Fatalf("round robin over two equal servers: %v, want 10/10", got)
	}
	if err := l.c.SetState(ctx(t), "be_web", "app1", lbctl.Maint); err != nil {
		t.Fatal(err)
	}
	if got := lbctltest.Spread(t, c, l.url, 10); got["app2"] != 10 {
		t.Errorf("app1 in maint: %v, want all 10 on app2", got)
	}
	// drain: no new (non-sticky) traffic either.
	if err := l.c.SetState(ctx(t), "be_web", "app1", lbctl.Ready); err != nil {
		t.Fatal(err)
	}
	if err := l.c.SetState(ctx(t), "be_web", "app2", lbctl.Drain); err != nil {
		t.Fatal(err)
	}
	if got := lbctltest.Spread(t, c, l.url, 10); got["app1"] != 10 {
		t.Errorf("app2 draining: %v, want all 10 on app1", got)
	}
	s, err := l.c.Server(ctx(t), "be_web", "app2")
	if err != nil || s.Admin != lbctl.Drain || s.Status != "DRAIN" {
		t.Errorf("app2 after drain = %+v, %v", s, err)
	}
	if err := l.c.SetState(ctx(t), "be_web", "app2", lbctl.Ready); err != nil {
		t.Fatal(err)
	}
	if got := lbctltest.Spread(t, c, l.url, 20); got["app1"] != 10 || got["app2"] != 10 {
		t.Errorf("both enabled again: %v, want 10/10", got)
	}
}

func TestWeightChangesSplit(t *testing.T) {
	l := startLive(t)
	if err := l.c.SetWeight(ctx(t), "be_web", "app1", 3); err != nil {
		t.Fatal(err)
	}
	if err := l.c.SetWeight(ctx(t), "be_web", "app2", 1); err != nil {
		t.Fatal(err)
	}
	// Smooth weighted round robin is exact over whole cycles: 3:1 in 40.
	got := lbctltest.Spread(t, lbctltest.Client(), l.url, 40)
	if got["app1"] != 30 || got["app2"] != 10 {
		t.Errorf("weights 3:1 over 40 requests: %v, want 30/10", got)
	}
	if err := l.c.SetWeight(ctx(t), "be_pinned", "app1", 10); !errors.Is(err, lbctl.ErrStaticAlgorithm) || !strings.Contains(err.Error(), "backend be_pinned (balance source)") {
		t.Errorf("weight on a static backend: %v", err)
	}
}

func TestErrorsNameWhatIsWrong(t *testing.T) {
	l := startLive(t)
	cx := ctx(t)
	err := l.c.SetState(cx, "be_web", "app3", lbctl.Drain)
	if !errors.Is(err, lbctl.ErrUnknownServer) || !strings.Contains(err.Error(), `"app3" in backend be_web: did you mean "app1"?`) {
		t.Errorf("unknown server: %v", err)
	}
	_, err = l.c.Servers(cx, "be_wbe")
	if !errors.Is(err, lbctl.ErrUnknownBackend) || !strings.Contains(err.Error(), `did you mean "be_web"?`) {
		t.Errorf("unknown backend: %v", err)
	}
	err = l.c.SetWeight(cx, "be_webb", "app1", 5)
	if !errors.Is(err, lbctl.ErrUnknownBackend) {
		t.Errorf("unknown backend on set weight: %v", err)
	}
	err = l.c.AddServer(cx, "be_pinned", "app9", "127.0.0.1", l.app2.Port, 1, lbctl.AddOptions{})
	if !errors.Is(err, lbctl.ErrStaticAlgorithm) || !strings.Contains(err.Error(), "backend be_pinned: it uses `balance source`") {
		t.Errorf("add to a static backend: %v", err)
	}
	user, err := lbctl.Dial(cx, filepath.Join(l.dir, "user.sock"))
	if err != nil {
		t.Fatal(err)
	}
	err = user.SetState(cx, "be_web", "app1", lbctl.Maint)
	if !errors.Is(err, lbctl.ErrPermission) || !strings.Contains(err.Error(), "level admin") {
		t.Errorf("user-level socket: %v", err)
	}
}

func TestAddAndDeleteServer(t *testing.T) {
	l := startLive(t)
	app3 := lbctltest.StartBackend(t, "app3")
	cx := ctx(t)
	if err := l.c.AddServer(cx, "be_web", "app3", "127.0.0.1", app3.Port, 100, lbctl.AddOptions{Check: &lbctl.Check{Inter: 200 * time.Millisecond, Rise: 1, Fall: 1}}); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, time.Minute, "app3's first health check", func() bool {
		s, err := l.c.Server(cx, "be_web", "app3")
		return err == nil && s.CheckStatus == "L4OK"
	})
	got := lbctltest.Spread(t, lbctltest.Client(), l.url, 30)
	if got["app1"] != 10 || got["app2"] != 10 || got["app3"] != 10 {
		t.Errorf("three equal servers: %v, want 10 each", got)
	}
	if err := l.c.DelServer(cx, "be_web", "app3"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.c.Server(cx, "be_web", "app3"); !errors.Is(err, lbctl.ErrUnknownServer) {
		t.Errorf("app3 after delete: %v", err)
	}
	if got := lbctltest.Spread(t, lbctltest.Client(), l.url, 10); got["app3"] != 0 {
		t.Errorf("deleted server still served: %v", got)
	}
}

// model is the load balancer of the hand-written config, as lang would
// lower it: load balancer "web" (backend be_web) with app1 and app2.
func (l *live) model() *schema.LoadBalancer {
	return &schema.LoadBalancer{
		Name: "web", Targets: []string{"haproxy"}, Mode: "http", Algorithm: "round_robin",
		Backends: []schema.Backend{
			{Name: "app1", Host: "127.0.0.1", Port: l.app1.Port, Weight: 100},
			{Name: "app2", Host: "127.0.0.1", Port: l.app2.Port, Weight: 100},
		},
		Stats: &schema.Stats{Socket: l.socket, StateFile: filepath.Join(l.dir, "haproxy.state")},
	}
}

func TestSyncAddsRemovesReweightsWithoutReload(t *testing.T) {
	l := startLive(t)
	cx := ctx(t)
	lb := l.model()
	res, err := l.c.Sync(cx, lb)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Plan.Actions) != 0 {
		t.Fatalf("the config matches the model, yet Sync planned %v", res.Plan.Actions)
	}

	// The model changes: app1 goes, app3 comes, app2 is re-weighted and
	// had been drained by an operator.
	app3 := lbctltest.StartBackend(t, "app3")
	if err := l.c.SetState(cx, "be_web", "app2", lbctl.Drain); err != nil {
		t.Fatal(err)
	}
	lb.Backends = []schema.Backend{
		{Name: "app2", Host: "127.0.0.1", Port: l.app2.Port, Weight: 50},
		{Name: "app3", Host: "127.0.0.1", Port: app3.Port, Weight: 150},
	}
	res, err = l.c.Sync(cx, lb)
	if err != nil {
		t.Fatal(err)
	}
	var did []string
	for _, a := range res.Done {
		did = append(did, string(a.Kind)+" "+a.Server)
	}
	if want := "add app3, weight app2, enable app2, remove app1"; strings.Join(did, ", ") != want {
		t.Errorf("Sync did %q, want %q", strings.Join(did, ", "), want)
	}
	if !l.proc.Alive() {
		t.Fatal("HAProxy exited")
	}
	servers, err := l.c.Servers(cx, "be_web")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, s := range servers {
		rows = append(rows, fmt.Sprintf("%s:%d:%s:%d", s.Name, s.Port, s.Admin, s.Weight))
	}
	if want := fmt.Sprintf("app2:%d:ready:50 app3:%d:ready:150", l.app2.Port, app3.Port); strings.Join(rows, " ") != want {
		t.Errorf("live servers %q, want %q", strings.Join(rows, " "), want)
	}
	// No reload: same process, and HAProxy's own pid agrees.
	info := showInfo(t, l.c)
	if !strings.Contains(info, fmt.Sprintf("Pid: %d\n", l.proc.PID)) {
		t.Errorf("HAProxy pid changed: want %d in\n%s", l.proc.PID, info)
	}
	got := lbctltest.Spread(t, lbctltest.Client(), l.url, 40)
	// A server added mid-cycle joins the weighted round robin from its
	// next cycle, so allow one request of slack.
	if got["app2"] < 9 || got["app2"] > 11 || got["app2"]+got["app3"] != 40 {
		t.Errorf("after sync, 50:150 over 40 requests: %v, want app2 10, app3 30", got)
	}
	// The state file was written and holds the new server.
	state, err := os.ReadFile(lb.Stats.StateFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(state), "1\n# be_id") || !strings.Contains(string(state), " be_web ") || !strings.Contains(string(state), " app3 ") {
		t.Errorf("state file:\n%s", state)
	}
	// A second sync has nothing to do.
	res, err = l.c.Sync(cx, lb)
	if err != nil || len(res.Plan.Actions) != 0 {
		t.Errorf("second sync: %v, %v", res.Plan.Actions, err)
	}
}

func TestSyncKeepAdminStateAndDryRun(t *testing.T) {
	l := startLive(t)
	cx := ctx(t)
	if err := l.c.SetState(cx, "be_web", "app1", lbctl.Drain); err != nil {
		t.Fatal(err)
	}
	lb := l.model()
	res, err := l.c.SyncWith(cx, lb, lbctl.SyncOptions{KeepAdminState: true})
	if err != nil || len(res.Plan.Actions) != 0 {
		t.Errorf("KeepAdminState still planned %v (%v)", res.Plan.Actions, err)
	}
	lb.Backends[1].Weight = 7
	res, err = l.c.SyncWith(cx, lb, lbctl.SyncOptions{DryRun: true})
	if err != nil || len(res.Plan.Actions) != 2 || len(res.Done) != 0 {
		t.Fatalf("dry run: plan %v done %v err %v", res.Plan.Actions, res.Done, err)
	}
	if s, _ := l.c.Server(cx, "be_web", "app2"); s.Weight != 100 {
		t.Errorf("dry run changed app2's weight to %d", s.Weight)
	}
}

func TestSyncToStaticBackendSaysWhy(t *testing.T) {
	l := startLive(t)
	lb := l.model()
	lb.Name = "pinned"
	lb.Algorithm = "ip_hash"
	lb.Backends = append(lb.Backends[:1], schema.Backend{Name: "app2", Host: "127.0.0.1", Port: l.app2.Port, Weight: 1})
	lb.Backends[0].Weight = 1
	res, err := l.c.Sync(ctx(t), lb)
	if !errors.Is(err, lbctl.ErrStaticAlgorithm) || !strings.Contains(err.Error(), "balance source") {
		t.Fatalf("err = %v", err)
	}
	if len(res.Done) != 0 {
		t.Errorf("a failed add should come first and leave everything as it was; did %v", res.Done)
	}
}

func showInfo(t *testing.T, c *lbctl.Client) string {
	t.Helper()
	info, err := c.Info(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// TestDelServerWaitsForSessions: a server with a request in flight is
// drained, and deleted only once that request has finished; with a
// shorter deadline it is left in maint and the error counts the session.
func TestDelServerWaitsForSessions(t *testing.T) {
	l := startLive(t)
	cx := ctx(t)
	if err := l.c.SetState(cx, "be_web", "app1", lbctl.Maint); err != nil {
		t.Fatal(err)
	}
	finished := make(chan int, 1)
	go func() {
		resp, err := lbctltest.Client().Get(l.url + "slow")
		if err != nil {
			finished <- 0
			return
		}
		resp.Body.Close()
		finished <- resp.StatusCode
	}()
	eventually.True(t, time.Minute, "the slow request to reach app2", func() bool { return l.app2.Slow.Load() == 1 })

	// The session is held until Release, so the deadline only has to leave
	// room for the socket round trips on a saturated machine: any length
	// ends with the session still open.
	short, cancel := context.WithTimeout(cx, 5*time.Second)
	defer cancel()
	err := l.c.DelServer(short, "be_web", "app2")
	if err == nil || !strings.Contains(err.Error(), "server be_web/app2 still had 1 sessions") || !strings.Contains(err.Error(), "it is in maint and was not deleted") {
		t.Fatalf("DelServer with a session in flight and a short deadline: %v", err)
	}
	if s, err := l.c.Server(cx, "be_web", "app2"); err != nil || s.Admin != lbctl.Maint || s.Sessions != 1 {
		t.Fatalf("app2 after the timed-out delete: %+v, %v", s, err)
	}

	done := make(chan error, 1)
	go func() { done <- l.c.DelServer(cx, "be_web", "app2") }()
	select {
	case err := <-done:
		t.Fatalf("DelServer returned (%v) while a session was still open", err)
	case <-time.After(300 * time.Millisecond):
	}
	l.app2.Release()
	if code := <-finished; code != 200 {
		t.Errorf("the in-flight request ended with %d, want 200: deleting must not cut it", code)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := l.c.Server(cx, "be_web", "app2"); !errors.Is(err, lbctl.ErrUnknownServer) {
		t.Errorf("app2 after delete: %v", err)
	}
}
