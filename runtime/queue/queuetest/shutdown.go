package queuetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nbac/nbac/internal/eventually"
	"github.com/nbac/nbac/runtime/queue"
)

// testHandBack: a consumer that shuts down with deliveries fetched but not
// started gives them back, so the next consumer gets them at once rather
// than after the visibility timeout (Redis Streams used to leave them
// pending for its fixed one-minute claim idle).
func testHandBack(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.Workers, cfg.Prefetch = 1, 16
	// Far longer than the bound below: a message that only comes back
	// through the timeout fails the test.
	cfg.VisibilityTimeout = 3 * time.Minute
	const bound = time.Minute
	q := h.Open(t, cfg, "")
	const n = 40
	ids := publishN(t, q, n, func(i int) queue.Message { return queue.Message{Body: fmt.Appendf(nil, "hb-%d", i)} })

	// Consumer A: its one worker holds the first delivery until the
	// shutdown deadline cancels it, so every other delivery it fetched is
	// never started; it finishes nothing.
	var startedA atomic.Int32
	stopA := consumer(t, q, func(ctx context.Context, _ *queue.Delivery) error {
		startedA.Add(1)
		<-ctx.Done()
		return ctx.Err()
	}, queue.ConsumeOptions{ShutdownTimeout: time.Second})
	eventually.True(t, 30*time.Second, "consumer A to start a handler", func() bool { return startedA.Load() >= 1 })
	ctx := ctxT(t, 2*time.Minute)
	// Where the broker reports unacked deliveries, wait until A holds a
	// full prefetch, so that there is something fetched but not started.
	eventually.True(t, 30*time.Second, "consumer A to fetch its prefetch", func() bool {
		st, err := q.Inspect(ctx)
		return err == nil && (st.Unacked < 0 || st.Unacked >= int64(cfg.Prefetch))
	})
	held, _ := q.Inspect(ctx)
	stopA()
	stopped := time.Now()
	if s := startedA.Load(); s != 1 {
		t.Fatalf("consumer A started %d handlers, want 1 (one worker, held until the deadline)", s)
	}

	tr := newTracker()
	var redelivered atomic.Int32
	consumer(t, q, func(_ context.Context, d *queue.Delivery) error {
		if d.Redelivered {
			redelivered.Add(1)
		}
		tr.add(string(d.Body))
		return nil
	}, queue.ConsumeOptions{})
	eventually.True(t, 2*time.Minute, "every message handled by consumer B", func() bool { return len(tr.missing(ids)) == 0 })
	tail := time.Since(stopped)
	t.Logf("consumer A held %d unacked (%d started) at shutdown; consumer B had all %d messages %s after A stopped (visibility timeout %s); %d marked redelivered",
		held.Unacked, startedA.Load(), n, tail.Round(time.Millisecond), cfg.VisibilityTimeout, redelivered.Load())
	if tail > bound {
		t.Fatalf("the messages A fetched but did not start reached consumer B %s after A stopped; want them handed back at once (well under %s, the visibility timeout is %s)", tail, bound, cfg.VisibilityTimeout)
	}
	if st, err := q.Inspect(ctx); err != nil || st.DeadLetters != 0 {
		t.Fatalf("after the hand-back: Inspect = %+v, %v; want no dead letters", st, err)
	}
}

// testCloseWhileConsuming: Close on a queue whose Consume still runs shuts
// the consumer down as cancelling it would (in-flight handlers finish with
// a live context, their acks land) and only then closes the driver: no
// failed ack, nothing lost, Consume returned by the time Close does.
func testCloseWhileConsuming(t *testing.T, h Harness) {
	cfg := Config(t)
	cfg.Workers, cfg.Prefetch = 4, 16
	rec := NewLogRecorder()
	cfg.Logger = rec.Logger()
	q := h.Open(t, cfg, "")
	const n = 300
	ids := publishN(t, q, n, func(i int) queue.Message { return queue.Message{Body: fmt.Appendf(nil, "cl-%d", i)} })
	tr := newTracker()
	var started, finished, cancelled atomic.Int32
	hf := func(ctx context.Context, d *queue.Delivery) error {
		started.Add(1)
		time.Sleep(5 * time.Millisecond)
		if ctx.Err() != nil {
			cancelled.Add(1)
			return ctx.Err()
		}
		tr.add(string(d.Body))
		finished.Add(1)
		return nil
	}
	errc := make(chan error, 1)
	go func() { errc <- q.Consume(context.Background(), hf, queue.ConsumeOptions{}) }()
	eventually.True(t, 30*time.Second, "20 messages handled", func() bool { return finished.Load() >= 20 })
	if err := q.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Consume returned %v after Close; want nil (a graceful stop)", err)
		}
	case <-time.After(10 * time.Second):
		// Consume returns just after it deregisters, so allow for the
		// scheduling; without the fix it never returns at all.
		t.Fatal("Consume still running 10s after Close returned")
	}
	before := finished.Load()
	if s := started.Load(); s != before || cancelled.Load() != 0 {
		t.Errorf("after Close: %d handlers started, %d finished, %d saw a cancelled context; want all finished", s, before, cancelled.Load())
	}
	failed := rec.Find(slog.LevelWarn, "fail")
	if len(failed) > 0 {
		t.Errorf("%d failed broker calls logged during Close, first: %s", len(failed), failed[0])
	}
	if err := q.Consume(context.Background(), hf, queue.ConsumeOptions{}); !errors.Is(err, queue.ErrClosed) {
		t.Errorf("Consume after Close = %v, want ErrClosed", err)
	}
	// Nothing lost: a new handle on the same queue gets the rest.
	q2 := h.Open(t, cfg, "")
	consumer(t, q2, func(_ context.Context, d *queue.Delivery) error {
		tr.add(string(d.Body))
		return nil
	}, queue.ConsumeOptions{})
	eventually.True(t, 60*time.Second, "every message handled after Close", func() bool { return len(tr.missing(ids)) == 0 })
	t.Logf("Close with %d of %d handled: Consume stopped, %d failed broker calls, none lost, %d duplicates", before, n, len(failed), tr.duplicates())
}

// LogRecorder is a slog handler that keeps every record, for tests that
// check what was logged and where.
type LogRecorder struct {
	mu      sync.Mutex
	records []string
	levels  []slog.Level
}

// NewLogRecorder returns an empty recorder.
func NewLogRecorder() *LogRecorder { return &LogRecorder{} }

// Logger returns a logger writing to r.
func (r *LogRecorder) Logger() *slog.Logger { return slog.New(&recordHandler{r: r}) }

// Find returns the records at level or above whose text (message and
// attributes) contains substr.
func (r *LogRecorder) Find(level slog.Level, substr string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for i, s := range r.records {
		if r.levels[i] >= level && strings.Contains(s, substr) {
			out = append(out, s)
		}
	}
	return out
}

type recordHandler struct {
	r     *LogRecorder
	attrs []slog.Attr
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordHandler) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Level.String() + " " + rec.Message)
	for _, a := range h.attrs {
		b.WriteString(" " + a.String())
	}
	rec.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	h.r.mu.Lock()
	h.r.records = append(h.r.records, b.String())
	h.r.levels = append(h.r.levels, rec.Level)
	h.r.mu.Unlock()
	return nil
}

func (h *recordHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &recordHandler{r: h.r, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

// WithGroup is flattened: the tests match on text.
func (h *recordHandler) WithGroup(string) slog.Handler { return h }
