package cache

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// capture is a slog handler that keeps records.
type capture struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.recs = append(c.recs, r.Clone())
	return nil
}
func (c *capture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *capture) WithGroup(string) slog.Handler      { return c }

// messages returns the captured messages containing sub.
func (c *capture) messages(sub string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, r := range c.recs {
		if strings.Contains(r.Message, sub) {
			out = append(out, r.Message)
		}
	}
	return out
}

func (c *capture) attr(msgSub, key string) (slog.Value, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range slices.Backward(c.recs) {
		if !strings.Contains(r.Message, msgSub) {
			continue
		}
		var v slog.Value
		found := false
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == key {
				v, found = a.Value, true
				return false
			}
			return true
		})
		return v, found
	}
	return slog.Value{}, false
}

func newRouter(now *time.Time) *redisLogRouter {
	return &redisLogRouter{
		limits:   map[limitKey]*limitState{},
		now:      func() time.Time { return *now },
		every:    10 * time.Second,
		fallback: func() *slog.Logger { return nil },
	}
}

func TestRedisLogRouterRateLimits(t *testing.T) {
	now := time.Unix(1000, 0)
	r := newRouter(&now)
	h := &capture{}
	release := r.register(slog.New(h))
	defer release()
	ctx := context.Background()
	for range 50 {
		r.Printf(ctx, "redis: failed to dial after %d attempts: %v", 1, "refused")
	}
	r.Printf(ctx, "redis: another kind %s", "x")
	if got := h.messages("failed to dial"); len(got) != 1 {
		t.Fatalf("50 identical lines within %s logged %d times, want 1: %q", r.every, len(got), got)
	}
	if got := h.messages("another kind"); len(got) != 1 {
		t.Fatalf("a different message was suppressed with the first: %q", got)
	}
	now = now.Add(r.every)
	r.Printf(ctx, "redis: failed to dial after %d attempts: %v", 1, "refused")
	if got := h.messages("failed to dial"); len(got) != 2 {
		t.Fatalf("after %s the line was not logged again: %q", r.every, got)
	}
	if v, ok := h.attr("failed to dial", "suppressed"); !ok || v.Uint64() != 49 {
		t.Fatalf("suppressed = %v (%v), want 49", v, ok)
	}
	if v, ok := h.attr("failed to dial", "source"); !ok || v.String() != "go-redis" {
		t.Fatalf("source = %v, want go-redis", v)
	}
}

func TestRedisLogRouterPicksLogger(t *testing.T) {
	now := time.Unix(1000, 0)
	r := newRouter(&now)
	first, second := &capture{}, &capture{}
	releaseFirst := r.register(slog.New(first))
	releaseSecond := r.register(slog.New(second))
	defer releaseSecond()

	r.Printf(context.Background(), "line %d", 1)
	if len(first.messages("line")) != 1 || len(second.messages("line")) != 0 {
		t.Fatalf("first %q / second %q; want the line at the oldest registration", first.messages(""), second.messages(""))
	}
	releaseFirst()
	releaseFirst() // idempotent
	r.Printf(context.Background(), "later %d", 2)
	if len(second.messages("later")) != 1 || len(first.messages("later")) != 0 {
		t.Fatal("after the oldest registration was released its lines did not move to the next one")
	}
}

// TestGoRedisLogsReachRegisteredLogger: with the router installed,
// go-redis's own "failed to dial" line about a cache call against a refused
// port lands in the registered logger, tagged source=go-redis, instead of
// on stderr; and a burst of them is one line.
func TestGoRedisLogsReachRegisteredLogger(t *testing.T) {
	h := &capture{}
	release := RouteRedisLogs(slog.New(h))
	defer release()
	client := boundedClient(t, closedPort(t))
	cfg := l1l2Config("logs", "nbac-test:logs:")
	cfg.L2.Invalidate = false
	c := mustNew(t, cfg, client)
	v, err := GetOrLoad(context.Background(), c, "k", func(context.Context) (string, error) { return "v", nil })
	if err != nil || v != "v" {
		t.Fatalf("GetOrLoad with Redis refused = %q, %v", v, err)
	}
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_ = client.Get(ctx, "x").Err()
		cancel()
	}
	got := h.messages("failed to dial")
	if len(got) != 1 {
		t.Fatalf("go-redis's dial failures reached the registered logger %d times, want once (rate-limited); it has %q", len(got), h.messages(""))
	}
	if v, ok := h.attr("failed to dial", "source"); !ok || v.String() != "go-redis" {
		t.Fatalf("source = %v, want go-redis", v)
	}
}
