package lbtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/lbctl/lbctltest"
	"github.com/nbac/nbac/schema"
)

// Rate limit under steady over-limit traffic. The figures: R requests per
// second with burst B; one client keeps sending at 3R for a warm-up and
// then several windows, then slows to R/2.
const (
	rlRate   = 10
	rlBurst  = 5
	rlWindow = 5 * time.Second
	// rlWarmup is one HAProxy counting period (10 s): in it HAProxy admits
	// its whole allowance (10R+B) as fast as it comes, then nothing until
	// the next period; from there on it admits about R+B/10 per second.
	// Nginx admits R per second from the start (plus B once).
	rlWarmup = 10 * time.Second
)

// window counts what one client got in one measuring window.
type window struct{ sent, ok, denied, other int }

func (w window) String() string {
	return fmt.Sprintf("%d sent/%d ok/%d 429", w.sent, w.ok, w.denied) + map[bool]string{true: fmt.Sprintf("/%d other", w.other)}[w.other > 0]
}

// paced sends GETs from one client at about perSecond for d, and returns
// the counts per window of length win, by send time. A request that
// cannot be sent in time is skipped (the ticker drops ticks), so a slow
// machine sends fewer requests, never a burst.
func paced(t *testing.T, c *http.Client, u string, perSecond int, d, win time.Duration) []window {
	t.Helper()
	out := make([]window, int((d+win-1)/win))
	tick := time.NewTicker(time.Second / time.Duration(perSecond))
	defer tick.Stop()
	start := time.Now()
	for now := start; now.Sub(start) < d; now = <-tick.C {
		w := &out[min(int(now.Sub(start)/win), len(out)-1)]
		w.sent++
		resp, err := c.Get(u)
		if err != nil {
			w.other++
			continue
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusOK:
			w.ok++
		case http.StatusTooManyRequests:
			w.denied++
		default:
			w.other++
		}
	}
	return out
}

// TestRateLimitGivesAnOverLimitClientTheLimit: a client that keeps sending
// faster than the limit still gets the limit in every window (HAProxy used
// to count denied requests too, so such a client got nothing, for as long
// as it kept sending), and once it slows below the limit it is served in
// full. Windows are judged by counts with a band of one burst plus one
// second's worth, never by timing.
func TestRateLimitGivesAnOverLimitClientTheLimit(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			lbctltest.Binary(t, tg.name)
			t.Parallel() // the two targets run side by side: half the wall time
			app := lbctltest.StartBackend(t, "app1")
			lb := newLB(t, app)
			lb.RateLimit = &schema.RateLimit{RequestsPerSecond: rlRate, Burst: rlBurst}
			run(t, tg, lb)
			c := keepAliveClient()
			warm := paced(t, c, url(lb), 3*rlRate, rlWarmup, rlWarmup)[0]
			steady := paced(t, c, url(lb), 3*rlRate, 3*rlWindow, rlWindow)
			slow := paced(t, c, url(lb), rlRate/2, 2*rlWindow, rlWindow)
			t.Logf("%s rate %d/s burst %d, over-limit client at %d/s: warm-up %v %v; steady %v; slowed to %d/s: %v",
				tg.name, rlRate, rlBurst, 3*rlRate, rlWarmup, warm, steady, rlRate/2, slow)
			per := rlRate * int(rlWindow/time.Second)
			if warm.ok == 0 || warm.ok > 10*rlRate+rlBurst+rlRate {
				t.Errorf("warm-up %v: %v admitted, want 1..%d", rlWarmup, warm, 10*rlRate+rlBurst+rlRate)
			}
			overLimit := false
			for i, w := range append(steady, slow...) {
				if w.other > 0 {
					t.Errorf("window %d (%v): answers other than 200/429", i+1, w)
				}
				if i >= len(steady) {
					continue
				}
				// The client sent at 3R; if the machine could not, it can
				// only be given what it sent.
				lo := min(w.sent, per) - rlBurst - rlRate
				hi := per + rlBurst + rlRate
				if w.ok < max(lo, 1) || w.ok > hi {
					t.Errorf("steady window %d of %v: %v, want %d..%d admitted (%d per window, burst %d)", i+1, rlWindow, w, max(lo, 1), hi, per, rlBurst)
				}
				overLimit = overLimit || w.denied > 0
			}
			if !overLimit {
				t.Fatalf("no request was denied in the steady windows %v: the client never got over the limit, so nothing was measured", steady)
			}
			// Slowed to half the rate: after the first window (in which
			// what is left of the over-limit traffic drains), every
			// request is served.
			if last := slow[len(slow)-1]; last.denied > 0 || last.ok == 0 {
				t.Errorf("slowed to %d/s, the second window still had denials: %v", rlRate/2, slow)
			}
		})
	}
}

// keepAliveClient reuses connections (less work for a saturated machine;
// the limit is per client address either way).
func keepAliveClient() *http.Client {
	c := lbctltest.Client()
	c.Transport = &http.Transport{MaxIdleConnsPerHost: 16}
	return c
}

// killable is a backend that can die abruptly: its listener and every
// connection close at once, including requests it is still answering
// (they get no response), as when a server process crashes.
type killable struct {
	name     string
	port     int
	srv      *http.Server
	inFlight atomic.Int64
	served   atomic.Int64
}

// startKillable starts a backend whose answers take hold (so that many
// requests are in flight when it is killed).
func startKillable(t *testing.T, name string, hold time.Duration) *killable {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k := &killable{name: name, port: ln.Addr().(*net.TCPAddr).Port}
	k.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.inFlight.Add(1)
		defer k.inFlight.Add(-1)
		select {
		case <-time.After(hold):
		case <-r.Context().Done():
			return
		}
		k.served.Add(1)
		w.Header().Set("X-Server", name)
		fmt.Fprintln(w, name)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = k.srv.Serve(ln) }()
	t.Cleanup(k.kill)
	return k
}

// kill closes the listener and all connections now (no graceful shutdown).
func (k *killable) kill() { _ = k.srv.Close() }

// TestFailoverLosesNoIdempotentRequest: a backend killed while it holds
// in-flight requests, under steady concurrent traffic, costs no client a
// failed GET: both targets resend to another server, those in flight
// (closed without an answer) and those that find the port closed. HAProxy
// used to answer one of them 503 (no retry on another server) or 502 (no
// retry of an empty response).
func TestFailoverLosesNoIdempotentRequest(t *testing.T) {
	eachTarget(t, func(t *testing.T, tg target) {
		const workers = 16
		hold := 20 * time.Millisecond
		a, b, c := startKillable(t, "a", hold), startKillable(t, "b", hold), startKillable(t, "c", hold)
		lb := newLB(t)
		for _, k := range []*killable{a, b, c} {
			lb.Backends = append(lb.Backends, schema.Backend{Name: k.name, Host: "127.0.0.1", Port: k.port, Weight: 100})
		}
		run(t, tg, lb)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var mu sync.Mutex
		var failures []string
		var done atomic.Int64
		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cl := keepAliveClient()
				cl.Timeout = 30 * time.Second // a retry may wait for a timeout: slow, not failed
				for ctx.Err() == nil {
					req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url(lb), nil)
					resp, err := cl.Do(req)
					if errors.Is(ctx.Err(), context.Canceled) {
						return
					}
					mu.Lock()
					switch {
					case err != nil:
						failures = append(failures, err.Error())
					case resp.StatusCode != http.StatusOK:
						failures = append(failures, fmt.Sprintf("status %d", resp.StatusCode))
					}
					mu.Unlock()
					if resp != nil {
						resp.Body.Close()
					}
					done.Add(1)
				}
			}()
		}
		// Kill b once traffic flows through it and it holds requests.
		eventually.True(t, wait, "b holding requests mid-traffic", func() bool {
			return done.Load() > 100 && b.inFlight.Load() > 0
		})
		held := b.inFlight.Load()
		b.kill()
		atKill := done.Load()
		// Keep the traffic going until many more requests completed, so
		// the dead server is offered requests again and again.
		eventually.True(t, 60*time.Second, "300 requests after the kill", func() bool { return done.Load() > atKill+300 })
		cancel()
		wg.Wait()
		t.Logf("%s: %d GETs from %d clients, b killed holding %d in flight after %d; failures %d; served a/b/c %d/%d/%d",
			tg.name, done.Load(), workers, held, atKill, len(failures), a.served.Load(), b.served.Load(), c.served.Load())
		if len(failures) > 0 {
			t.Errorf("%d of %d idempotent requests failed during failover, first: %v", len(failures), done.Load(), failures[:min(5, len(failures))])
		}
		if a.served.Load() == 0 || c.served.Load() == 0 {
			t.Errorf("survivors served a=%d c=%d: traffic did not spread", a.served.Load(), c.served.Load())
		}
	})
}
