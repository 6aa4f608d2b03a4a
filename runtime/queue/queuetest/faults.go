package queuetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/nbac/nbac/runtime/queue"
)

// proxy starts an in-process TCP proxy to upstream and returns it and its
// listen address.
func proxy(t testing.TB, upstream string) *toxiproxy.Proxy {
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "queue-fault", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("start fault proxy: %v", err)
	}
	t.Cleanup(p.Stop)
	return p
}

// openProxied opens a queue with cfg whose every broker connection goes
// through a fault proxy of its own, or skips a driver without a connection.
func (h Harness) openProxied(t *testing.T, cfg queue.Config) (*queue.Queue, *toxiproxy.Proxy) {
	up := h.upstream(t)
	if up == "" {
		t.Skip("driver has no broker connection to cut (in-process)")
	}
	p := proxy(t, up)
	return h.Open(t, cfg, p.Listen), p
}

// faultRun publishes n messages one by one while cut() interrupts the
// connection, retrying every publish that returns an error, and checks that
// every message is handled at least once.
func faultRun(t *testing.T, q *queue.Queue, n int, cut func()) {
	tr := newTracker()
	var handled atomic.Int32
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		tr.add(string(d.Body))
		handled.Add(1)
		return nil
	}, queue.ConsumeOptions{})
	ids := make([]string, n)
	var failed atomic.Int32
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			ids[i] = fmt.Sprintf("f-%d", i)
			for {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				err := q.Publish(ctx, queue.Message{Body: []byte(ids[i])})
				cancel()
				if err == nil {
					break
				}
				// An error is allowed during the cut; a silent drop is not,
				// which the final check proves.
				failed.Add(1)
				time.Sleep(50 * time.Millisecond)
			}
			if i%10 == 0 {
				time.Sleep(2 * time.Millisecond)
			}
		}
	})
	waitProgress(t, "a quarter of the messages handled", n/4+1, func() int { return int(handled.Load()) })
	cut()
	wg.Wait()
	waitProgress(t, "every published message handled after the cut", n, func() int { return n - len(tr.missing(ids)) })
	t.Logf("%d messages: none lost; %d publish errors during the cut (retried), %d duplicates", n, failed.Load(), tr.duplicates())
}

func testProxyCut(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.Workers, cfg.Prefetch = 4, 32
	q, p := h.openProxied(t, cfg)
	faultRun(t, q, 2000, func() { cutFor(t, p, 700*time.Millisecond) })
}

// cutFor severs every proxied connection and refuses new ones for down,
// then lets connections through again; it returns when the proxy is back.
func cutFor(t testing.TB, p *toxiproxy.Proxy, down time.Duration) {
	p.Stop() // closes every proxied connection
	time.Sleep(down)
	if err := p.Start(); err != nil {
		t.Errorf("restart fault proxy: %v", err)
	}
}

func testServerKill(t *testing.T, h Harness) {
	if h.Kill == nil {
		t.Skip("driver has no server-side connection kill")
	}
	cfg := Config(t)
	cfg.Workers, cfg.Prefetch = 4, 32
	q := h.Open(t, cfg, "")
	faultRun(t, q, 2000, func() { h.Kill(t) })
}
