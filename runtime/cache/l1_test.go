package cache

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/schema"
)

type stats struct {
	Points float64 `json:"points"`
	Team   string  `json:"team"`
}

func l1Only(t *testing.T, entries int, ttl time.Duration) *Cache {
	return mustNew(t, schema.Cache{Name: "l1only", L1: &schema.L1Cache{MaxEntries: entries, TTL: schema.Duration(ttl)}}, nil)
}

func TestL1SetGetTyped(t *testing.T) {
	ctx := context.Background()
	c := l1Only(t, 100, time.Minute)
	want := stats{Points: 27.1, Team: "LAL"}
	if err := c.Set(ctx, "lebron", want); err != nil {
		t.Fatal(err)
	}
	got, ok := Get[stats](ctx, c, "lebron")
	if !ok || got != want {
		t.Fatalf("Get = %+v, %v; want %+v", got, ok, want)
	}
	raw, ok := c.GetBytes(ctx, "lebron")
	if !ok || string(raw) != `{"points":27.1,"team":"LAL"}` {
		t.Fatalf("GetBytes = %q, %v", raw, ok)
	}
	// A different type decodes from the stored bytes.
	m, ok := Get[map[string]any](ctx, c, "lebron")
	if !ok || m["team"] != "LAL" {
		t.Fatalf("Get as map = %v, %v", m, ok)
	}
	// []byte is stored verbatim, both ways.
	if err := c.Set(ctx, "blob", []byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if b, ok := Get[[]byte](ctx, c, "blob"); !ok || string(b) != "\x00\x01\x02" {
		t.Fatalf("Get[[]byte] = %v, %v", b, ok)
	}
	if _, ok := Get[stats](ctx, c, "absent"); ok {
		t.Fatal("Get of an absent key reported a hit")
	}
	c.DeleteLocal("lebron")
	if _, ok := c.GetBytes(ctx, "lebron"); ok {
		t.Fatal("key still present after DeleteLocal")
	}
	s := c.Stats()
	if s.L1Hits != 4 || s.L1Misses != 2 {
		t.Fatalf("stats = %+v, want 4 L1 hits and 2 misses", s)
	}
	if r := s.HitRatio(); r < 0.66 || r > 0.67 {
		t.Fatalf("hit ratio %v, want 4/6", r)
	}
}

func TestL1PerKeyTTL(t *testing.T) {
	ctx := context.Background()
	c := l1Only(t, 100, time.Hour)
	// 1s, and the expiry polled: under stress-ng a read right after the
	// write can come tens of milliseconds later, and the coarse clock's
	// goroutine can lag as much.
	if err := c.SetBytes(ctx, "short", []byte("x"), WithTTL(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := c.SetBytes(ctx, "long", []byte("y")); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.GetBytes(ctx, "short"); !ok {
		t.Fatal("short-lived key missing right after Set")
	}
	eventually.True(t, time.Minute, "the key with a 1s TTL to expire", func() bool {
		_, ok := c.GetBytes(ctx, "short")
		return !ok
	})
	if _, ok := c.GetBytes(ctx, "long"); !ok {
		t.Fatal("key with the default 1h TTL expired")
	}
}

func TestJitterShortensWithinBound(t *testing.T) {
	c := mustNew(t, schema.Cache{Name: "j", L1: &schema.L1Cache{MaxEntries: 10, TTL: schema.Duration(time.Minute), Jitter: 0.2}}, nil)
	seen := map[time.Duration]bool{}
	for range 200 {
		d := c.l1Lifetime(time.Minute)
		if d > time.Minute || d < 48*time.Second {
			t.Fatalf("lifetime %v outside [48s, 1m] for ttl 1m jitter 0.2", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Fatalf("only %d distinct lifetimes in 200 draws: jitter is not spreading expiries", len(seen))
	}
	if _, err := New(schema.Cache{Name: "bad", L1: &schema.L1Cache{MaxEntries: 1, Jitter: 0.9}}, nil); err == nil {
		t.Fatal("jitter 0.9 accepted; want an error")
	}
}

func TestMaxBytesAndEntriesBothBound(t *testing.T) {
	ctx := context.Background()
	c := mustNew(t, schema.Cache{Name: "b", L1: &schema.L1Cache{MaxEntries: 50, MaxBytes: 64 << 10, TTL: schema.Duration(time.Hour)}}, nil)
	small := make([]byte, 10)
	for i := range 500 {
		_ = c.SetBytes(ctx, "k"+strconv.Itoa(i), small)
	}
	c.l1.CleanUp()
	if n := c.l1.EstimatedSize(); n > 50 {
		t.Fatalf("%d small entries kept; max_entries is 50", n)
	}
	big := make([]byte, 8<<10)
	for i := range 100 {
		_ = c.SetBytes(ctx, "big"+strconv.Itoa(i), big)
	}
	c.l1.CleanUp()
	if w := c.l1.WeightedSize(); w > 64<<10 {
		t.Fatalf("weighted size %d exceeds max_bytes 64KiB", w)
	}
	if c.Stats().Evictions == 0 {
		t.Fatal("no evictions counted")
	}
}

func TestNegativeCachingL1(t *testing.T) {
	ctx := context.Background()
	cfg := schema.Cache{Name: "neg", NegativeTTL: schema.Duration(time.Hour), L1: &schema.L1Cache{MaxEntries: 10, TTL: schema.Duration(time.Hour)}}
	c := mustNew(t, cfg, nil)
	var calls atomic.Int32
	load := func(context.Context) (stats, error) { calls.Add(1); return stats{}, ErrNotFound }
	for range 3 {
		if _, err := GetOrLoad(ctx, c, "ghost", load); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("loader called %d times, want 1 (the not-found answer is cached)", calls.Load())
	}
	if _, ok := c.GetBytes(ctx, "ghost"); ok {
		t.Fatal("GetBytes reported a cached not-found as a hit")
	}
}

func TestLoaderErrorsAreNotCached(t *testing.T) {
	ctx := context.Background()
	c := l1Only(t, 10, time.Hour)
	boom := errors.New("origin down")
	calls := 0
	for range 2 {
		_, err := GetOrLoad(ctx, c, "k", func(context.Context) (int, error) { calls++; return 0, boom })
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want the loader's error", err)
		}
	}
	if calls != 2 {
		t.Fatalf("loader called %d times, want 2 (errors are not cached)", calls)
	}
	_, err := GetOrLoad(ctx, c, "p", func(context.Context) (int, error) { panic("bad key") })
	if err == nil || c.Stats().LoadErrors != 3 {
		t.Fatalf("panicking loader: err = %v, stats %+v", err, c.Stats())
	}
}

func TestStampedeL1Only(t *testing.T) {
	c := l1Only(t, 10, time.Hour)
	stampede(t, c, "hot")
}

// stampede runs 1,000 concurrent GetOrLoad calls on one key and checks that
// the origin was called exactly once and every caller got its value.
func stampede(t *testing.T, c *Cache, key string) {
	t.Helper()
	ctx := context.Background()
	var calls atomic.Int32
	release := make(chan struct{})
	var started, wg sync.WaitGroup
	errs := make(chan error, 1000)
	started.Add(1000)
	for range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			v, err := GetOrLoad(ctx, c, key, func(context.Context) (stats, error) {
				calls.Add(1)
				<-release // hold the flight open while the others pile up
				return stats{Points: 30, Team: "LAL"}, nil
			})
			if err == nil && v.Team != "LAL" {
				err = errors.New("wrong value " + v.Team)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	started.Wait()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("loader called %d times for 1,000 concurrent misses, want 1", n)
	}
}

func TestGetOrLoadCallerCancel(t *testing.T) {
	c := l1Only(t, 10, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := GetOrLoad(ctx, c, "slow", func(context.Context) (int, error) { <-release; return 7, nil })
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	close(release)
	// The flight finished for everyone else and filled the cache.
	eventually.True(t, time.Minute, "the abandoned load to fill L1", func() bool { _, ok := Get[int](context.Background(), c, "slow"); return ok })
}

func TestWarmUsesModelKeys(t *testing.T) {
	ctx := context.Background()
	c := mustNew(t, schema.Cache{Name: "w", Warm: []string{"a", "b", "c"}, L1: &schema.L1Cache{MaxEntries: 10, TTL: schema.Duration(time.Hour)}}, nil)
	var calls atomic.Int32
	err := Warm(ctx, c, nil, func(_ context.Context, k string) (string, error) {
		calls.Add(1)
		if k == "c" {
			return "", errors.New("no c")
		}
		return "v" + k, nil
	})
	if err == nil || calls.Load() != 3 {
		t.Fatalf("Warm err = %v, calls %d; want the error for c and 3 calls", err, calls.Load())
	}
	if v, ok := Get[string](ctx, c, "b"); !ok || v != "vb" {
		t.Fatalf("warmed key b = %q, %v", v, ok)
	}
}

func TestNewRejectsEmptyConfig(t *testing.T) {
	if _, err := New(schema.Cache{Name: "none"}, nil); err == nil {
		t.Fatal("a cache with neither tier was accepted")
	}
	if _, err := New(schema.Cache{Name: "nol2client", L2: &schema.L2Cache{Redis: "main"}}, nil); err == nil {
		t.Fatal("an L2 cache without a client was accepted")
	}
}
