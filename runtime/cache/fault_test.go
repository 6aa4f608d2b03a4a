package cache

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/internal/eventually"
)

// switchable is a dialer whose target the test moves between a closed
// port, a server that accepts and never answers, and the real Redis.
type switchable struct{ addr atomic.Value }

func (s *switchable) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, s.addr.Load().(string))
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// blackhole accepts connections and never answers: a hung Redis.
func blackhole(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().String()
}

// TestRedisFaultsNeverReachCallers runs readers through a dead Redis, a
// hung one and then a live one: no GetOrLoad returns an error, the origin
// serves meanwhile, and the cache goes back to using Redis by itself.
func TestRedisFaultsNeverReachCallers(t *testing.T) {
	ctx := context.Background()
	live := liveRedis(t) // skips when there is no Redis
	p := uniquePrefix(t, live)
	sw := &switchable{}
	sw.addr.Store(closedPort(t))
	rc := redisWith(t, &redis.Options{Addr: "nbac-test-redis:6379", Dialer: sw.dial, MaxRetries: -1})
	cfg := l1l2Config("fault", p)
	cfg.L2.Timeout = 50_000_000 // 50ms
	c := mustNew(t, cfg, rc, WithRetryAfter(20*time.Millisecond))

	var loads atomic.Int64
	read := func(phase string, keys int) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, keys*4)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range keys {
					key := fmt.Sprintf("%s-%d", phase, (i+g)%keys)
					v, err := GetOrLoad(ctx, c, key, func(context.Context) (string, error) {
						loads.Add(1)
						return "v:" + key, nil
					})
					if err != nil || v != "v:"+key {
						errs <- fmt.Errorf("%s: GetOrLoad(%s) = %q, %v", phase, key, v, err)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}

	read("down", 20)
	s := c.Stats()
	if s.L2Errors == 0 || !s.L2Down {
		t.Fatalf("Redis down: stats %+v, want L2 errors counted and L2 marked down", s)
	}
	if err := c.Set(ctx, "w", "x"); err == nil {
		t.Error("Set with Redis down returned no error; the caller should learn L2 missed the write")
	}
	if v, ok := Get[string](ctx, c, "w"); !ok || v != "x" {
		t.Errorf("Set with Redis down did not update L1: %q, %v", v, ok)
	}

	// A hung Redis: every call is bounded by the 50ms timeout.
	sw.addr.Store(blackhole(t))
	time.Sleep(30 * time.Millisecond) // past retry_after, so Redis is tried again
	read("hung", 10)

	// Redis is back: the next calls after retry_after use it again.
	sw.addr.Store(redisAddr)
	time.Sleep(30 * time.Millisecond)
	round := 0
	var last string
	eventually.True(t, time.Minute, "the cache to write to Redis again", func() bool {
		round++
		last = fmt.Sprintf("up%d", round) // fresh keys: L1 already holds older ones
		read(last, 5)
		return live.Exists(ctx, p+last+"-0").Val() == 1
	})
	// The breaker closes again (polled: on a saturated machine a call
	// right after the write above may time out at 50ms and reopen it).
	eventually.True(t, time.Minute, "the breaker to close", func() bool {
		round++
		read(fmt.Sprintf("up%d", round), 5)
		return !c.Stats().L2Down
	})
	// And a fresh instance reads what the recovered one wrote.
	d := mustNew(t, l1l2Config("fault", p), live)
	if v, ok := Get[string](ctx, d, last+"-0"); !ok || v != "v:"+last+"-0" {
		t.Fatalf("after recovery L2 holds %q, %v", v, ok)
	}
}
