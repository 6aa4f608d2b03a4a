package rabbitmq_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nbac/nbac/runtime/queue"
	"github.com/nbac/nbac/runtime/queue/queuetest"
	"github.com/nbac/nbac/runtime/queue/rabbitmq"
)

// TestQueueTypeFigures measures classic against quorum queues on the same
// broker, one after the other: confirmed publish rate, drain rate, the
// round trip of one message (publish to handler) and the overshoot of
// 500 ms delays through the TTL tiers. It asserts only that nothing is
// lost (the figures depend on the machine and are logged, never
// compared); docs/runtime-queues.md quotes them.
func TestQueueTypeFigures(t *testing.T) {
	url := brokerURL(t)
	for _, typ := range []string{queue.QueueClassic, queue.QueueQuorum} {
		t.Run(typ, func(t *testing.T) {
			cfg := queuetest.Config(t)
			cfg.QueueType, cfg.Workers, cfg.Prefetch = typ, 8, 64
			q := queue.New(cfg, rabbitmq.New(cfg, rabbitmq.Options{URL: url}))
			t.Cleanup(func() { q.Close(); deleteQueues(t, url, cfg) })
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if err := q.Declare(ctx); err != nil {
				t.Fatal(err)
			}
			pub, drain := backlog(ctx, t, q, 4, 1000, 50)
			rtt := roundTrips(ctx, t, q, 200)
			over := delays(ctx, t, q, 20, 500*time.Millisecond)
			t.Logf("%s: publish %.0f msg/s confirmed (4 publishers, batches of 50); drain %.0f msg/s (8 workers, prefetch 64); round trip p50 %s p95 %s max %s (200 sequential); 500ms delay overshoot p50 %s max %s (20 messages)",
				typ, pub, drain, pct(rtt, 50), pct(rtt, 95), pct(rtt, 100), pct(over, 50), pct(over, 100))
		})
	}
}

// backlog publishes publishers x n messages in batches, then drains them
// with one consumer; it returns both rates in messages per second.
func backlog(ctx context.Context, t *testing.T, q *queue.Queue, publishers, n, batch int) (pubRate, drainRate float64) {
	start := time.Now()
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Go(func() {
			for i := 0; i < n; i += batch {
				msgs := make([]queue.Message, batch)
				for j := range msgs {
					msgs[j].Body = fmt.Appendf(nil, "%d-%d", p, i+j)
				}
				if err := q.PublishBatch(ctx, msgs); err != nil {
					t.Errorf("publish: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	published := time.Since(start)
	total := publishers * n
	var mu sync.Mutex
	seen := map[string]bool{}
	done := make(chan struct{})
	start = time.Now()
	stop := consume(t, q, func(d *queue.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		seen[string(d.Body)] = true
		if len(seen) == total {
			close(done)
		}
	})
	defer stop()
	select {
	case <-done:
	case <-ctx.Done():
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("only %d of %d messages handled", len(seen), total)
	}
	return float64(total) / published.Seconds(), float64(total) / time.Since(start).Seconds()
}

// roundTrips publishes n messages one at a time, each after the previous
// one reached the handler, and returns the publish-to-handler times.
func roundTrips(ctx context.Context, t *testing.T, q *queue.Queue, n int) []time.Duration {
	got := make(chan string, 1)
	stop := consume(t, q, func(d *queue.Delivery) { got <- string(d.Body) })
	defer stop()
	out := make([]time.Duration, 0, n)
	for i := range n {
		id := "rt-" + strconv.Itoa(i)
		start := time.Now()
		if err := q.Publish(ctx, queue.Message{Body: []byte(id)}); err != nil {
			t.Fatal(err)
		}
		select {
		case b := <-got:
			if b != id {
				t.Fatalf("got %q, want %q", b, id)
			}
		case <-ctx.Done():
			t.Fatalf("message %s never handled", id)
		}
		out = append(out, time.Since(start))
	}
	return out
}

// delays publishes n messages delayed by d at once and returns how much
// later than d each was handled; an early one fails the test.
func delays(ctx context.Context, t *testing.T, q *queue.Queue, n int, d time.Duration) []time.Duration {
	var mu sync.Mutex
	var out []time.Duration
	var start time.Time
	all := make(chan struct{})
	stop := consume(t, q, func(dl *queue.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		el := time.Since(start)
		if el < d {
			t.Errorf("a %s-delayed message was handled after %s", d, el)
		}
		out = append(out, el-d)
		if len(out) == n {
			close(all)
		}
	})
	defer stop()
	msgs := make([]queue.Message, n)
	for i := range msgs {
		msgs[i] = queue.Message{Body: fmt.Appendf(nil, "delay-%d", i), Delay: d}
	}
	mu.Lock()
	start = time.Now()
	mu.Unlock()
	if err := q.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	select {
	case <-all:
	case <-ctx.Done():
		t.Fatalf("delayed messages not all handled")
	}
	mu.Lock()
	defer mu.Unlock()
	return slices.Clone(out)
}

// consume runs q.Consume with handler h until stop is called.
func consume(t *testing.T, q *queue.Queue, h func(*queue.Delivery)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- q.Consume(ctx, func(_ context.Context, d *queue.Delivery) error { h(d); return nil }, queue.ConsumeOptions{})
	}()
	return func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Consume: %v", err)
		}
	}
}

// pct is the p-th percentile (0..100) of ds.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p)/100)
	return s[i].Round(100 * time.Microsecond)
}
