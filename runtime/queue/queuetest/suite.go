package queuetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/queue"
)

// Run runs the conformance suite against h.
func Run(t *testing.T, h Harness) {
	t.Run("Throughput10k", func(t *testing.T) { t.Parallel(); testThroughput(t, h) })
	t.Run("Priority", func(t *testing.T) { t.Parallel(); testPriority(t, h) })
	t.Run("Delay", func(t *testing.T) { t.Parallel(); testDelay(t, h) })
	t.Run("RetryThenSuccess", func(t *testing.T) { t.Parallel(); testRetry(t, h) })
	t.Run("DeadLetterAndReplay", func(t *testing.T) { t.Parallel(); testDeadLetter(t, h) })
	t.Run("PanicIsFailure", func(t *testing.T) { t.Parallel(); testPanic(t, h) })
	t.Run("FIFOPerKey", func(t *testing.T) { t.Parallel(); testFIFO(t, h) })
	t.Run("GracefulShutdown", func(t *testing.T) { t.Parallel(); testShutdown(t, h) })
	t.Run("HandBackAtShutdown", func(t *testing.T) { t.Parallel(); testHandBack(t, h) })
	t.Run("CloseWhileConsuming", func(t *testing.T) { t.Parallel(); testCloseWhileConsuming(t, h) })
	t.Run("TraceAcrossRetryAndReplay", func(t *testing.T) { t.Parallel(); testTracing(t, h) })
	t.Run("FaultProxyCut", func(t *testing.T) { t.Parallel(); testProxyCut(t, h) })
	t.Run("FaultServerKill", func(t *testing.T) { t.Parallel(); testServerKill(t, h) })
	t.Run("FaultDelayedAcrossCuts", func(t *testing.T) { t.Parallel(); testDelayedAcrossCuts(t, h) })
	t.Run("FaultResumeAfterCut", func(t *testing.T) { t.Parallel(); testResumeAfterCut(t, h) })
}

// patience bounds every wait for an event that must happen: generous, so
// that a saturated machine (stress-ng on every core, -race) still meets it,
// and only reached when the event never comes. No verdict depends on a
// shorter window.
const patience = 2 * time.Minute

// lateAllowance is how late a delayed message may be handled after its due
// time, including reconnecting after a connection cut: the contract is
// "never early, at most a few seconds late"; the figure is generous so that
// the verdict holds on a saturated machine, and the measured lateness is
// logged.
const lateAllowance = 20 * time.Second

// consumer runs q.Consume in the background; stop cancels it and checks
// that it returned nil.
func consumer(t testing.TB, q *queue.Queue, hf queue.Handler, opts queue.ConsumeOptions) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- q.Consume(ctx, hf, opts) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Consume returned %v after shutdown", err)
				}
			case <-time.After(patience):
				t.Errorf("Consume did not return within %s of cancellation", patience)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitProgress polls count until it reaches want; it fails only when count
// has not moved for patience, so a slow machine is never a failure, a stuck
// one is.
func waitProgress(t testing.TB, what string, want int, count func() int) {
	t.Helper()
	last, since := count(), time.Now()
	for {
		n := count()
		if n >= want {
			return
		}
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > patience {
			t.Fatalf("no progress for %s waiting for %s: %d of %d", patience, what, n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// tracker records which message ids were handled and how often.
type tracker struct {
	mu   sync.Mutex
	seen map[string]int
}

func newTracker() *tracker { return &tracker{seen: map[string]int{}} }

func (tr *tracker) add(id string) {
	tr.mu.Lock()
	tr.seen[id]++
	tr.mu.Unlock()
}

func (tr *tracker) distinct() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.seen)
}

func (tr *tracker) duplicates() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	d := 0
	for _, n := range tr.seen {
		d += n - 1
	}
	return d
}

func (tr *tracker) missing(ids []string) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []string
	for _, id := range ids {
		if tr.seen[id] == 0 {
			out = append(out, id)
		}
	}
	return out
}

func publishN(t testing.TB, q *queue.Queue, n int, mk func(i int) queue.Message) []string {
	t.Helper()
	ctx := ctxT(t, patience)
	ids := make([]string, n)
	batch := make([]queue.Message, 0, 100)
	for i := range n {
		m := mk(i)
		ids[i] = string(m.Body)
		batch = append(batch, m)
		if len(batch) == cap(batch) || i == n-1 {
			if err := q.PublishBatch(ctx, batch); err != nil {
				t.Fatalf("publish: %v", err)
			}
			batch = batch[:0]
		}
	}
	return ids
}

func testThroughput(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.Workers, cfg.Prefetch = 8, 64
	q := h.Open(t, cfg, "")
	const n = 10_000
	tr := newTracker()
	stop := consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		tr.add(string(d.Body))
		return nil
	}, queue.ConsumeOptions{})
	// Four concurrent publishers, so that confirms and pipelines are shared.
	var wg sync.WaitGroup
	ids := make([][]string, 4)
	for p := range 4 {
		wg.Go(func() {
			ids[p] = publishN(t, q, n/4, func(i int) queue.Message {
				return queue.Message{Body: fmt.Appendf(nil, "p%d-%d", p, i)}
			})
		})
	}
	wg.Wait()
	waitProgress(t, "10,000 messages handled", n, tr.distinct)
	stop()
	for _, part := range ids {
		if miss := tr.missing(part); len(miss) > 0 {
			t.Fatalf("%d messages lost, first %q", len(miss), miss[0])
		}
	}
	t.Logf("10,000 messages through 8 workers: none lost, %d duplicates", tr.duplicates())
}

func testPriority(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.Priorities = true
	cfg.Workers, cfg.Prefetch = 1, 1
	q := h.Open(t, cfg, "")
	ctx := ctxT(t, patience)
	// A backlog of low messages, then critical and high ones behind it.
	var msgs []queue.Message
	for i := range 100 {
		msgs = append(msgs, queue.Message{Body: fmt.Appendf(nil, "low-%d", i), Priority: queue.PriorityLow})
	}
	for i := range 10 {
		msgs = append(msgs, queue.Message{Body: fmt.Appendf(nil, "high-%d", i), Priority: queue.PriorityHigh})
		msgs = append(msgs, queue.Message{Body: fmt.Appendf(nil, "critical-%d", i), Priority: queue.PriorityCritical})
	}
	if err := q.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		mu.Lock()
		order = append(order, d.Level)
		mu.Unlock()
		return nil
	}, queue.ConsumeOptions{})
	waitProgress(t, "120 messages handled", 120, func() int { mu.Lock(); defer mu.Unlock(); return len(order) })
	mu.Lock()
	defer mu.Unlock()
	// The backlog was in the broker before the consumer started: every
	// critical before every high, every high before every low. That is
	// the drivers' guarantee for messages already queued, whatever the
	// machine's speed (docs/runtime-queues.md, "Priorities").
	for i := 1; i < len(order); i++ {
		if order[i] > order[i-1] {
			t.Fatalf("priority inversion at position %d: level %d handled after level %d (order %v)", i, order[i], order[i-1], order[:min(len(order), 40)])
		}
	}
}

func testDelay(t *testing.T, h Harness) {
	cfg := Config(t)
	q := h.Open(t, cfg, "")
	got := make(chan time.Time, 2)
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		got <- time.Now()
		return nil
	}, queue.ConsumeOptions{})
	start := time.Now()
	if err := q.Publish(ctxT(t, patience), queue.Message{Body: []byte("later"), Delay: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	published := time.Now()
	select {
	case at := <-got:
		if el := at.Sub(start); el < 2*time.Second {
			t.Fatalf("delayed message handled after %s, before its 2s delay", el)
		} else if late := at.Sub(published) - 2*time.Second; late > lateAllowance {
			t.Fatalf("delayed message handled %s after its due time, more than the %s allowance", late, lateAllowance)
		} else {
			t.Logf("2s-delayed message handled after %s (%s after its due time)", el, max(late, 0))
		}
	case <-time.After(2*time.Second + lateAllowance + patience):
		t.Fatal("delayed message never handled")
	}
}

func testRetry(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.MaxAttempts = 5
	cfg.Backoff = queue.Backoff{Initial: 200 * time.Millisecond, Max: 5 * time.Second}
	q := h.Open(t, cfg, "")
	var mu sync.Mutex
	var attempts []int
	var times []time.Time
	done := make(chan struct{})
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		attempts = append(attempts, d.Attempt)
		times = append(times, time.Now())
		if d.Attempt <= 3 {
			return fmt.Errorf("failure %d", d.Attempt)
		}
		close(done)
		return nil
	}, queue.ConsumeOptions{})
	if err := q.Publish(ctxT(t, patience), queue.Message{Body: []byte("flaky")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(patience):
		t.Fatalf("message not handled successfully within %s", patience)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(attempts) != "[1 2 3 4]" {
		t.Fatalf("attempts seen by the handler = %v, want [1 2 3 4]", attempts)
	}
	var gaps []time.Duration
	for i := 1; i < len(times); i++ {
		gaps = append(gaps, times[i].Sub(times[i-1]))
	}
	// Backoff 200ms, 400ms, 800ms: each retry waits at least its own,
	// doubled, backoff (so the waits the engine asks for grow). A measured
	// gap is that backoff plus however late the machine ran the retry, so
	// the gaps themselves need not grow on a loaded machine; the lateness
	// is bounded and logged.
	for i, g := range gaps {
		want := 200 * time.Millisecond << i
		if g < want {
			t.Fatalf("retry %d came after %s, before its %s backoff (gaps %v)", i+1, g, want, gaps)
		}
		if g-want > lateAllowance {
			t.Fatalf("retry %d came %s after its %s backoff, more than the %s allowance (gaps %v)", i+1, g-want, want, lateAllowance, gaps)
		}
	}
	t.Logf("retry gaps %v (backoffs 200ms 400ms 800ms)", gaps)
}

func testDeadLetter(t *testing.T, h Harness) {
	cfg := Config(t)
	q := h.Open(t, cfg, "")
	ctx := ctxT(t, 3*patience)
	var calls atomic.Int32
	stop := consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		calls.Add(1)
		return errors.New("always broken\nsecond line")
	}, queue.ConsumeOptions{})
	if err := q.Publish(ctx, queue.Message{Body: []byte("poison"), Key: "k1", Headers: map[string]string{"trace": "abc"}}); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, patience, "the message in the dead-letter queue", func() bool {
		st, err := q.Inspect(ctx)
		return err == nil && st.DeadLetters == 1
	})
	stop()
	if c := calls.Load(); c != int32(cfg.MaxAttempts) {
		t.Fatalf("handler called %d times, want max_attempts = %d", c, cfg.MaxAttempts)
	}
	n, err := q.ReplayDLQ(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("ReplayDLQ = %d, %v; want 1, nil", n, err)
	}
	got := make(chan *queue.Delivery, 1)
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		got <- d
		return nil
	}, queue.ConsumeOptions{})
	select {
	case d := <-got:
		want := map[string]string{
			queue.HeaderError:    "always broken",
			queue.HeaderAttempts: strconv.Itoa(cfg.MaxAttempts),
			queue.HeaderOrigin:   cfg.Name,
			queue.HeaderReplayed: "1",
			"trace":              "abc",
		}
		for k, v := range want {
			if d.Headers[k] != v {
				t.Errorf("replayed message header %s = %q, want %q (headers %v)", k, d.Headers[k], v, d.Headers)
			}
		}
		if string(d.Body) != "poison" || d.Key != "k1" || d.Attempt != 1 {
			t.Errorf("replayed message = body %q key %q attempt %d; want poison, k1, 1", d.Body, d.Key, d.Attempt)
		}
	case <-time.After(patience):
		t.Fatal("replayed message not delivered")
	}
	eventually.True(t, patience, "an empty dead-letter queue", func() bool {
		st, err := q.Inspect(ctx)
		return err == nil && st.DeadLetters == 0
	})
}

func testPanic(t *testing.T, h Harness) {
	cfg := Config(t)
	q := h.Open(t, cfg, "")
	done := make(chan int, 1)
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		if d.Attempt == 1 {
			panic("boom")
		}
		done <- d.Attempt
		return nil
	}, queue.ConsumeOptions{})
	if err := q.Publish(ctxT(t, patience), queue.Message{Body: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-done:
		if a != 2 {
			t.Fatalf("after a panic the message came back as attempt %d, want 2", a)
		}
	case <-time.After(patience):
		t.Fatal("message not retried after the handler panicked")
	}
}

func testFIFO(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.FIFO = true
	cfg.Workers, cfg.Prefetch = 8, 64
	q := h.Open(t, cfg, "")
	const keys, per = 16, 100
	var mu sync.Mutex
	last := map[string]int{}
	var bad []string
	var count atomic.Int32
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		seq, _ := strconv.Atoi(string(d.Body))
		mu.Lock()
		if prev, ok := last[d.Key]; ok && seq != prev+1 {
			bad = append(bad, fmt.Sprintf("key %s: %d after %d", d.Key, seq, prev))
		} else if !ok && seq != 0 {
			bad = append(bad, fmt.Sprintf("key %s: starts at %d", d.Key, seq))
		}
		last[d.Key] = seq
		mu.Unlock()
		count.Add(1)
		return nil
	}, queue.ConsumeOptions{})
	publishN(t, q, keys*per, func(i int) queue.Message {
		return queue.Message{Key: fmt.Sprintf("key-%d", i%keys), Body: strconv.AppendInt(nil, int64(i/keys), 10)}
	})
	waitProgress(t, "all FIFO messages handled", keys*per, func() int { return int(count.Load()) })
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("per-key order broken %d times, first: %s", len(bad), bad[0])
	}
}

func testShutdown(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.Workers, cfg.Prefetch = 4, 8
	// The verdict is "every started handler finished": the deadline must
	// not be what a slow machine misses.
	cfg.ShutdownTimeout = patience
	q := h.Open(t, cfg, "")
	const n = 40
	ids := publishN(t, q, n, func(i int) queue.Message { return queue.Message{Body: fmt.Appendf(nil, "s-%d", i)} })
	var started, finished, cancelled atomic.Int32
	tr := newTracker()
	stop := consumer(t, q, func(ctx context.Context, d *queue.Delivery) error {
		started.Add(1)
		time.Sleep(300 * time.Millisecond)
		if ctx.Err() != nil {
			cancelled.Add(1)
			return ctx.Err()
		}
		tr.add(string(d.Body))
		finished.Add(1)
		return nil
	}, queue.ConsumeOptions{})
	eventually.True(t, patience, "4 handlers in flight", func() bool { return started.Load() >= 4 })
	stop()
	if s, f := started.Load(), finished.Load(); s != f || cancelled.Load() != 0 {
		t.Fatalf("after shutdown: %d started, %d finished, %d saw a cancelled context; want all finished", s, f, cancelled.Load())
	}
	ctx := ctxT(t, patience)
	if st, err := q.Inspect(ctx); err != nil || st.DeadLetters != 0 {
		t.Fatalf("after shutdown: Inspect = %+v, %v; want no dead letters", st, err)
	}
	// A new consumer gets everything the first one did not finish.
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		tr.add(string(d.Body))
		return nil
	}, queue.ConsumeOptions{})
	waitProgress(t, "every message handled after the restart", len(ids), func() int { return len(ids) - len(tr.missing(ids)) })
}
