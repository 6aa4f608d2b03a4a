package runtime

import (
	"context"
	"os"
	"testing"

	"github.com/nbac/nbac/runtime/cache"
)

// TestExampleNBAPlayerStats is the "done when": the nba example's
// player_stats cache works against the local Redis, straight from HCL.
func TestExampleNBAPlayerStats(t *testing.T) {
	const dir = "../examples/nba"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIPPED: %s is not in this tree yet (%v)", dir, err)
	}
	ctx := context.Background()
	prefix := needRedis(t)
	rt := open(t, dir, WithEnviron([]string{"REDIS_URL=redis://" + redisAddr + "/0"}))
	withPrefix(rt, prefix)
	c, err := rt.Cache("player_stats")
	if err != nil {
		t.Fatal(err)
	}
	loads := 0
	err = cache.Warm(ctx, c, nil, func(_ context.Context, key string) (playerStats, error) {
		loads++
		return playerStats{Player: key, Points: 27.1}, nil
	})
	if err != nil || loads != len(c.WarmKeys()) || loads == 0 {
		t.Fatalf("Warm: err %v, %d loads for warm keys %v", err, loads, c.WarmKeys())
	}
	// A second runtime (another pod) reads the warmed value from Redis.
	other := open(t, dir, WithEnviron([]string{"REDIS_URL=redis://" + redisAddr + "/0"}))
	withPrefix(other, prefix)
	oc, err := other.Cache("player_stats")
	if err != nil {
		t.Fatal(err)
	}
	key := c.WarmKeys()[0]
	v, err := cache.GetOrLoad(ctx, oc, key, func(context.Context) (playerStats, error) {
		t.Error("origin called although Redis holds the warmed value")
		return playerStats{}, nil
	})
	if err != nil || v.Player != key {
		t.Fatalf("other runtime: %+v, %v", v, err)
	}
	if s := oc.Stats(); s.L2Hits != 1 {
		t.Fatalf("other runtime stats %+v, want one L2 hit", s)
	}
}
