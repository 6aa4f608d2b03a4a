package queuetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbac/nbac/runtime/queue"
)

// testDelayedAcrossCuts publishes messages delayed 1 to 8 s and cuts every
// connection twice while they wait: each must be handled, never before its
// due time and at most lateAllowance after it.
func testDelayedAcrossCuts(t *testing.T, h Harness) {
	q, p := h.openProxied(t, Config(t))
	delays := []time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second, 6 * time.Second, 8 * time.Second}
	type arrival struct {
		body string
		at   time.Time
	}
	arrivals := make(chan arrival, 4*len(delays))
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		arrivals <- arrival{string(d.Body), time.Now()}
		return nil
	}, queue.ConsumeOptions{})
	// A first message proves the consumer is connected before the clock
	// of the delayed ones starts.
	if err := q.Publish(ctxT(t, patience), queue.Message{Body: []byte("ready")}); err != nil {
		t.Fatal(err)
	}
	waitArrival := time.After(patience)
	for ready := false; !ready; {
		select {
		case a := <-arrivals:
			ready = a.body == "ready"
		case <-waitArrival:
			t.Fatalf("consumer handled nothing within %s", patience)
		}
	}
	earliest := map[string]time.Time{} // publish started + delay: never before
	due := map[string]time.Time{}      // publish returned + delay: lateness counts from here
	start := time.Now()
	for _, dl := range delays {
		body := fmt.Sprintf("delayed-%s", dl)
		before := time.Now()
		if err := q.Publish(ctxT(t, patience), queue.Message{Body: []byte(body), Delay: dl}); err != nil {
			t.Fatal(err)
		}
		earliest[body], due[body] = before.Add(dl), time.Now().Add(dl)
	}
	// Cuts at 1.5 s and 4.5 s after the publishes, while messages wait.
	var cuts sync.WaitGroup
	cuts.Go(func() {
		for _, at := range []time.Duration{1500 * time.Millisecond, 4500 * time.Millisecond} {
			time.Sleep(time.Until(start.Add(at)))
			cutFor(t, p, 700*time.Millisecond)
		}
	})
	defer cuts.Wait()
	got := map[string]time.Time{}
	dups := 0
	deadline := time.After(delays[len(delays)-1] + lateAllowance + patience)
	for len(got) < len(delays) {
		select {
		case a := <-arrivals:
			if _, ok := due[a.body]; !ok {
				continue
			}
			if _, ok := got[a.body]; ok {
				dups++
				continue
			}
			got[a.body] = a.at
		case <-deadline:
			var missing []string
			for b := range due {
				if _, ok := got[b]; !ok {
					missing = append(missing, b)
				}
			}
			t.Fatalf("delayed messages never handled across two cuts: %v", missing)
		}
	}
	var worst time.Duration
	var report []string
	for _, dl := range delays {
		body := fmt.Sprintf("delayed-%s", dl)
		at := got[body]
		if at.Before(earliest[body]) {
			t.Errorf("%s handled %s before its due time", body, earliest[body].Sub(at))
		}
		late := max(at.Sub(due[body]), 0)
		worst = max(worst, late)
		report = append(report, fmt.Sprintf("%s: +%s", dl, late.Round(time.Millisecond)))
		if late > lateAllowance {
			t.Errorf("%s handled %s after its due time, more than the %s allowance", body, late, lateAllowance)
		}
	}
	t.Logf("delayed messages across cuts at 1.5s and 4.5s (0.7s each): lateness %v, worst %s, %d duplicates, none lost", report, worst.Round(time.Millisecond), dups)
}

// resumeAllowance bounds how long after the broker is reachable again a
// running consumer handles a message published after the cut; generous
// (reconnect, rejoin, refetch on a saturated machine), the figure is logged.
const resumeAllowance = 20 * time.Second

// testResumeAfterCut keeps publishing while it cuts every connection three
// times, and measures, for each cut, the time from the proxy letting
// connections through again to the first handled message published after
// the cut began.
func testResumeAfterCut(t *testing.T, h Harness) {
	q, p := h.openProxied(t, Config(t))
	var seq, handledMax atomic.Int64 // last published, highest handled
	handledAt := make(chan int64, 1024)
	tr := newTracker()
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		var n int64
		fmt.Sscanf(string(d.Body), "r-%d", &n)
		tr.add(string(d.Body))
		for {
			old := handledMax.Load()
			if n <= old || handledMax.CompareAndSwap(old, n) {
				break
			}
		}
		select {
		case handledAt <- n:
		default:
		}
		return nil
	}, queue.ConsumeOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	var pub sync.WaitGroup
	var failed atomic.Int32
	pub.Go(func() {
		for ctx.Err() == nil {
			n := seq.Load() + 1
			pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
			err := q.Publish(pctx, queue.Message{Body: fmt.Appendf(nil, "r-%d", n)})
			pcancel()
			if err != nil {
				failed.Add(1) // allowed during a cut; retried, so never lost
				time.Sleep(20 * time.Millisecond)
				continue
			}
			seq.Store(n)
			time.Sleep(20 * time.Millisecond)
		}
	})
	stopPub := func() { cancel(); pub.Wait() }
	defer stopPub()
	waitProgress(t, "the first handled message", 1, func() int { return int(handledMax.Load()) })
	var resumes []time.Duration
	for range 3 {
		cutAt := seq.Load() // everything after this was published during or after the cut
		cutFor(t, p, 700*time.Millisecond)
		back := time.Now()
		for drained := false; !drained; {
			select {
			case <-handledAt:
			default:
				drained = true
			}
		}
		var resumed time.Duration
		for resumed == 0 {
			select {
			case n := <-handledAt:
				if n > cutAt {
					resumed = time.Since(back)
				}
			case <-time.After(resumeAllowance + patience):
				t.Fatalf("no message published after the cut handled within %s of the broker being reachable again", resumeAllowance+patience)
			}
		}
		resumes = append(resumes, resumed)
		if resumed > resumeAllowance {
			t.Errorf("consumption resumed %s after the broker was reachable again, more than the %s allowance", resumed, resumeAllowance)
		}
	}
	stopPub()
	last := seq.Load()
	ids := make([]string, last)
	for i := range ids {
		ids[i] = fmt.Sprintf("r-%d", i+1)
	}
	waitProgress(t, "every published message handled", len(ids), func() int { return len(ids) - len(tr.missing(ids)) })
	t.Logf("three 0.7s cuts: consumption resumed %v after the broker was reachable again; %d messages, none lost, %d duplicates, %d publish errors (retried)", resumes, last, tr.duplicates(), failed.Load())
}
