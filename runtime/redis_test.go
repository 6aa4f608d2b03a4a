package runtime

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nbac/nbac/runtime/cache"
	"github.com/nbac/nbac/schema"
)

// records is a slog handler that keeps messages.
type records struct {
	mu   sync.Mutex
	msgs []string
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

func (r *records) count(sub string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.Contains(m, sub) {
			n++
		}
	}
	return n
}

// TestRefusedRedisBoundedAndLoggedThroughRuntime: a runtime whose redis
// block points at a closed port builds a client with the fault-bounding
// options; GetOrLoad under a caller deadline returns the loader's value,
// not the deadline's error; go-redis's dial failure goes to the runtime's
// logger.
func TestRefusedRedisBoundedAndLoggedThroughRuntime(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	m := &schema.Model{
		Version: "1",
		Redis:   []schema.Redis{{Name: "main", Addresses: []string{addr}}},
		Caches: []schema.Cache{{Name: "c",
			L1: &schema.L1Cache{MaxEntries: 10, TTL: schema.Duration(time.Minute)},
			L2: &schema.L2Cache{Redis: "main", TTL: schema.Duration(time.Minute), Compress: "none",
				Timeout: schema.Duration(100 * time.Millisecond)}}},
	}
	h := &records{}
	rt := &Runtime{model: m, getenv: func(string) (string, bool) { return "", false }, log: slog.New(h)}
	defer rt.Close()
	c, err := rt.Cache("c")
	if err != nil {
		t.Fatal(err)
	}
	o := rt.redis.clients["main"].(*redis.Client).Options()
	if !o.ContextTimeoutEnabled || o.DialerRetries != 1 {
		t.Fatalf("client options: ContextTimeoutEnabled %v DialerRetries %d; want true, 1", o.ContextTimeoutEnabled, o.DialerRetries)
	}
	// The caller's deadline is far shorter than go-redis's default dial
	// retries (5 dials 100ms apart in each of 4 command attempts).
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	v, err := cache.GetOrLoad(ctx, c, "k", func(context.Context) (string, error) { return "v", nil })
	if err != nil || v != "v" {
		t.Fatalf("GetOrLoad with Redis refused = %q, %v; want the loader's value", v, err)
	}
	if h.count("failed to dial") == 0 {
		t.Fatalf("go-redis's dial failure did not reach the runtime's logger: %q", h.msgs)
	}
}
