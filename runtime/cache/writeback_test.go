package cache

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nbac/nbac/schema"
)

// TestFillShareOneTimeoutWithTheRead: GetOrLoad promises l2.timeout plus the
// loader's own time, so a miss whose read was slow (but answered) and whose
// Redis then hangs before the write-back must not pay a second full
// l2.timeout for the write. The read is slowed to 60% of the timeout by a
// latency toxic; the loader then hangs Redis. Before the write-back shared
// the read's budget, the call took 0.6 + 1.0 timeouts plus the loader.
func TestFillShareOneTimeoutWithTheRead(t *testing.T) {
	const (
		timeout = 2 * time.Second // large against scheduling noise on a saturated machine
		slow    = timeout * 6 / 10
		// allowance is scheduling delay; it stays under the 0.6 timeout
		// that the old code paid on top.
		allowance = timeout / 4
	)
	live := liveRedis(t)
	prefix := uniquePrefix(t, live)
	fp := startFaultProxy(t, redisAddr)
	cfg := schema.Cache{
		Name: "writeback",
		L1:   &schema.L1Cache{MaxEntries: 100, TTL: schema.Duration(time.Minute)},
		L2: &schema.L2Cache{Redis: "main", TTL: schema.Duration(time.Minute), KeyPrefix: prefix,
			Compress: "none", Timeout: schema.Duration(timeout)},
	}
	c := mustNew(t, cfg, boundedClient(t, fp.addr()))
	// A first call opens the pooled connection, so the measured read pays
	// no dial.
	if _, err := GetOrLoad(context.Background(), c, "warm", func(context.Context) (string, error) { return "v", nil }); err != nil {
		t.Fatal(err)
	}
	latency := `{"name":"slow","type":"latency","stream":"downstream","attributes":{"latency":` +
		strconv.Itoa(int(slow/time.Millisecond)) + `}}`
	if _, err := fp.p.Toxics.AddToxicJson(strings.NewReader(latency)); err != nil {
		t.Fatal(err)
	}
	var loaderTime time.Duration
	start := time.Now()
	v, err := GetOrLoad(context.Background(), c, "k", func(context.Context) (string, error) {
		ls := time.Now()
		if err := fp.p.Toxics.RemoveToxic(context.Background(), "slow"); err != nil {
			t.Error(err)
		}
		fp.hang()
		loaderTime = time.Since(ls)
		return "loaded", nil
	})
	took := time.Since(start)
	if err != nil || v != "loaded" {
		t.Fatalf("GetOrLoad = %q, %v; want the loaded value and no error", v, err)
	}
	bound := timeout + loaderTime + allowance
	t.Logf("slow read %s + hung write-back: GetOrLoad took %s (bound %s = l2.timeout %s + loader %s + allowance %s)",
		slow, took.Round(time.Millisecond), bound.Round(time.Millisecond), timeout, loaderTime.Round(time.Millisecond), allowance)
	if took > bound {
		t.Errorf("GetOrLoad took %s, over l2.timeout + loader + allowance = %s: the write-back paid a timeout of its own", took, bound)
	}
}
