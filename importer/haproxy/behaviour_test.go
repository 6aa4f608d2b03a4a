package haproxy

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

// TestSameTrafficSameAnswers runs the original haproxy.cfg and the one
// nbac builds from its import, in turn, in front of the same loopback
// backends, sends both the same traffic and compares: the weighted spread
// (3:1, backup idle), cookie affinity (every client stays on the server
// its first answer chose), and failover to the backup when the primaries
// stop. Counts only, never timings.
func TestSameTrafficSameAnswers(t *testing.T) {
	st := lbhcltest.NewStand(t, "haproxy", "testdata/behaviour/app.cfg.tmpl", Import, "haproxy.cfg", "LISTEN")
	app1, app2, listen, original := st.App1, st.App2, st.Ports["LISTEN"], st.Original
	regenerated := string(lbhcltest.Artifact(t, st.Arts, "haproxy/app.cfg"))
	configs := []struct{ name, cfg string }{{"original", original}, {"regenerated", regenerated}}
	url := fmt.Sprintf("http://127.0.0.1:%d/", listen)
	c := lbctltest.Client()

	spread := map[string]map[string]int{}
	for _, cf := range configs {
		t.Run(cf.name+"/spread and affinity", func(t *testing.T) {
			p := lbctltest.HAProxy(t, t.TempDir(), cf.cfg, []int{listen})
			defer p.Stop()
			eventually.True(t, wait, "both primaries serving", func() bool {
				got := lbctltest.Spread(t, c, url, 8)
				return got["app1"] > 0 && got["app2"] > 0
			})
			const n = 400
			got := lbctltest.Spread(t, c, url, n)
			spread[cf.name] = got
			// Smooth weighted round robin is exact over whole cycles of 4;
			// the tolerance only absorbs where the first cycle starts.
			if !fx.Within(got["app1"], 300, 10) || got["app1"]+got["app2"] != n || got["spare"] != 0 {
				t.Errorf("weights 3:1 with an idle backup over %d requests: %v", n, got)
			}
			pinned := 0
			for i := 0; i < 20; i++ {
				_, first, resp := fx.Get(t, c, url)
				var ck []*http.Cookie
				for _, k := range resp.Cookies() {
					if k.Name == "SRV" {
						ck = append(ck, k)
					}
				}
				same := len(ck) == 1
				for j := 0; j < 5 && same; j++ {
					_, srv, _ := fx.Get(t, c, url, ck...)
					same = srv == first
				}
				if same {
					pinned++
				}
			}
			if pinned != 20 {
				t.Errorf("%d of 20 clients stayed on the server their first answer chose (cookie SRV)", pinned)
			}
		})
	}
	t.Logf("400 requests: original %v, regenerated %v", spread["original"], spread["regenerated"])
	if o, g := spread["original"], spread["regenerated"]; o != nil && g != nil && !fx.Within(o["app1"], g["app1"], 10) {
		t.Errorf("spreads differ: original %v, regenerated %v", o, g)
	}

	app1.Stop()
	app2.Stop()
	for _, cf := range configs {
		t.Run(cf.name+"/backup", func(t *testing.T) {
			p := lbctltest.HAProxy(t, t.TempDir(), cf.cfg, []int{listen})
			defer p.Stop()
			eventually.True(t, wait, "the backup serving every request", func() bool {
				return lbctltest.Spread(t, c, url, 10)["spare"] == 10
			})
			if got := lbctltest.Spread(t, c, url, 50); got["spare"] != 50 {
				t.Errorf("with the primaries down, 50 requests went %v, want all to spare", got)
			}
		})
	}
}
