package nginx

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	fx "github.com/nbac/nbac/emit/lbconf/lbtest"
	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
)

// wait bounds every polling loop: generous, the machine may be saturated.
const wait = 60 * time.Second

// TestSameTrafficSameAnswers runs the original nginx.conf and the files
// nbac builds from its import (one per load balancer), in turn, in front
// of the same loopback backends, and compares: the weighted spread (3:1,
// backup idle), the server each session cookie is hashed to (the same
// server, cookie by cookie), and failover to the backup when the
// primaries stop. Counts only, never timings.
func TestSameTrafficSameAnswers(t *testing.T) {
	st := lbhcltest.NewStand(t, "nginx", "testdata/behaviour/app.conf.tmpl", Import, "nginx.conf", "LISTEN1", "LISTEN2")
	app1, app2, l1, l2, original := st.App1, st.App2, st.Ports["LISTEN1"], st.Ports["LISTEN2"], st.Original
	weighted := string(lbhcltest.Artifact(t, st.Arts, "nginx/weighted.conf"))
	sticky := string(lbhcltest.Artifact(t, st.Arts, "nginx/sticky.conf"))
	u1, u2 := fmt.Sprintf("http://127.0.0.1:%d/", l1), fmt.Sprintf("http://127.0.0.1:%d/", l2)
	c := lbctltest.Client()

	// run starts each config (the original is one process serving both
	// ports; the regenerated are one process per load balancer).
	run := func(t *testing.T, regenerated bool) func() {
		if !regenerated {
			p := lbctltest.Nginx(t, t.TempDir(), original, []int{l1, l2})
			return func() { p.Stop() }
		}
		p1 := lbctltest.Nginx(t, t.TempDir(), weighted, []int{l1})
		p2 := lbctltest.Nginx(t, t.TempDir(), sticky, []int{l2})
		return func() { p1.Stop(); p2.Stop() }
	}

	spread := map[bool]map[string]int{}
	chosen := map[bool][]string{}
	for _, regen := range []bool{false, true} {
		t.Run(fmt.Sprintf("regenerated=%v/spread and affinity", regen), func(t *testing.T) {
			defer run(t, regen)()
			const n = 400
			got := lbctltest.Spread(t, c, u1, n)
			spread[regen] = got
			if !fx.Within(got["app1"], 300, 10) || got["app1"]+got["app2"] != n || got["spare"] != 0 {
				t.Errorf("weights 3:1 with an idle backup over %d requests: %v", n, got)
			}
			for i := 0; i < 30; i++ {
				ck := &http.Cookie{Name: "session", Value: fmt.Sprintf("user-%d", i)}
				_, first, _ := fx.Get(t, c, u2, ck)
				for j := 0; j < 3; j++ {
					if _, srv, _ := fx.Get(t, c, u2, ck); srv != first {
						t.Errorf("session %s went to %s, then %s", ck.Value, first, srv)
					}
				}
				chosen[regen] = append(chosen[regen], first)
			}
		})
	}
	t.Logf("400 requests: original %v, regenerated %v", spread[false], spread[true])
	if o, g := spread[false], spread[true]; o != nil && g != nil && !fx.Within(o["app1"], g["app1"], 10) {
		t.Errorf("spreads differ: original %v, regenerated %v", o, g)
	}
	if o, g := chosen[false], chosen[true]; len(o) == 30 && len(g) == 30 {
		same, used := 0, map[string]bool{}
		for i := range o {
			if o[i] == g[i] {
				same++
			}
			used[o[i]] = true
		}
		t.Logf("session cookies: %d of 30 hashed to the same server; original used %d servers", same, len(used))
		if same != 30 || len(used) < 2 {
			t.Errorf("session cookies: %d of 30 hashed to the same server (original used %d servers)\noriginal    %v\nregenerated %v", same, len(used), o, g)
		}
	}

	app1.Stop()
	app2.Stop()
	for _, regen := range []bool{false, true} {
		t.Run(fmt.Sprintf("regenerated=%v/backup", regen), func(t *testing.T) {
			defer run(t, regen)()
			eventually.True(t, wait, "the backup serving every request", func() bool {
				return lbctltest.Spread(t, c, u1, 10)["spare"] == 10
			})
			if got := lbctltest.Spread(t, c, u1, 50); got["spare"] != 50 {
				t.Errorf("with the primaries down, 50 requests went %v, want all to spare", got)
			}
		})
	}
}
