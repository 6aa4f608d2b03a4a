package queue

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// ConsumeOptions override the model for one Consume call.
type ConsumeOptions struct {
	// Workers is the number of concurrent handlers (default: the model's).
	Workers int
	// ShutdownTimeout bounds how long in-flight work may run after ctx is
	// cancelled (default: the model's shutdown_timeout).
	ShutdownTimeout time.Duration
	// Logger overrides the queue's logger (Config.Logger) for this call.
	Logger *slog.Logger
}

// afterDeadline is how long Consume still waits for handlers after it
// cancelled their context at the shutdown deadline.
const afterDeadline = 2 * time.Second

// Consume runs handlers on the queue's messages until ctx is cancelled, then
// shuts down gracefully: it stops fetching, gives back deliveries not yet
// started, lets in-flight handlers finish (their context stays live until
// the shutdown timeout), settles them, and returns nil. A delivery cut
// short by the deadline is released for redelivery, never dead-lettered.
// Queue.Close shuts it down the same way.
func (q *Queue) Consume(ctx context.Context, h Handler, opts ConsumeOptions) error {
	if err := q.enter(); err != nil {
		return err
	}
	defer q.consumers.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(q.stop, cancel)()
	workers := opts.Workers
	if workers <= 0 {
		workers = q.cfg.Workers
	}
	timeout := opts.ShutdownTimeout
	if timeout <= 0 {
		timeout = q.cfg.ShutdownTimeout
	}
	log := opts.Logger
	if log == nil {
		log = q.cfg.Logger
	}
	log = log.With("queue", q.cfg.Name)
	// A broker that is down at start is waited for, like one that goes
	// down later: a worker should not crash-loop because it started first.
	for wait := 100 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
		err := q.Declare(ctx)
		if err == nil {
			break
		}
		log.Warn("broker not ready; retrying", "err", err, "in", wait)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil
		}
	}
	rcv, err := q.drv.NewReceiver(ctx)
	if err != nil {
		return fmt.Errorf("queue %q: consume: %w", q.cfg.Name, err)
	}
	prefetch := max(q.cfg.Prefetch, workers)
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	e := &engine{q: q, h: h, log: log, hctx: hctx, sctx: context.WithoutCancel(hctx), stopCh: make(chan struct{}), credit: NewCredit(prefetch)}

	in := make(chan *Delivery, prefetch)
	rctx, rstop := context.WithCancel(hctx)
	runErr := make(chan error, 1)
	go func() { runErr <- rcv.Run(rctx, e.credit, in) }()

	var wg sync.WaitGroup
	if q.cfg.FIFO {
		// Per-key order: one key always goes to the same worker, which
		// handles its deliveries one at a time in arrival order.
		lanes := make([]chan *Delivery, workers)
		seed := maphash.MakeSeed()
		for i := range lanes {
			lanes[i] = make(chan *Delivery, prefetch)
			wg.Go(func() { e.work(lanes[i]) })
		}
		wg.Go(func() {
			for d := range in {
				lanes[maphash.String(seed, d.Key)%uint64(workers)] <- d
			}
			for _, l := range lanes {
				close(l)
			}
		})
	} else {
		for range workers {
			wg.Go(func() { e.work(in) })
		}
	}

	var fatal error
	select {
	case <-ctx.Done():
		rstop()
		fatal = <-runErr
	case fatal = <-runErr:
		rstop()
	}
	if errors.Is(fatal, context.Canceled) {
		fatal = nil
	}
	e.stopping.Store(true)
	close(e.stopCh)
	close(in)

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		log.Warn("shutdown timeout reached; cancelling handlers, their deliveries will be redelivered", "timeout", timeout)
		e.hardStop.Store(true)
		hcancel()
		select {
		case <-done:
		case <-time.After(afterDeadline):
			log.Error("handlers ignored cancellation; leaving their deliveries to the broker")
		}
	}
	if err := rcv.Close(); err != nil {
		log.Warn("closing consumer", "err", err)
	}
	if fatal != nil {
		return fmt.Errorf("queue %q: consume: %w", q.cfg.Name, fatal)
	}
	return nil
}

type engine struct {
	q        *Queue
	h        Handler
	log      *slog.Logger
	hctx     context.Context
	sctx     context.Context // for settling: outlives the handler context
	credit   *Credit
	stopCh   chan struct{}
	stopping atomic.Bool // no new deliveries start
	hardStop atomic.Bool // the shutdown deadline passed
}

func (e *engine) work(ch <-chan *Delivery) {
	for d := range ch {
		e.handle(d)
		e.credit.Release(1)
	}
}

func (e *engine) handle(d *Delivery) {
	m := e.q.m
	cfg := &e.q.cfg
	if e.stopping.Load() {
		e.release(d)
		return
	}
	var prev trace.SpanContext // the last in-place (FIFO) attempt's span
	for {
		m.consumed.Inc()
		m.inFlight.Inc()
		ctx, at := e.hctx, attempt{}
		if tr := e.q.tr; tr != nil {
			ctx, at.span = tr.startProcess(ctx, d, prev)
			at.tr = tr
		}
		start := time.Now()
		err := e.call(ctx, d)
		m.latency.Observe(time.Since(start).Seconds())
		m.inFlight.Dec()
		if err == nil {
			if aerr := e.q.drv.Ack(e.sctx, d); aerr != nil {
				e.brokerError("ack", d, aerr, at)
			} else {
				m.acked.Inc()
			}
			at.finish(nil, OutcomeAck)
			return
		}
		// A failure caused by the shutdown is not the message's fault.
		if e.hardStop.Load() || (e.stopping.Load() && isCancel(err)) {
			e.release(d)
			at.finish(err, OutcomeRelease)
			return
		}
		if d.Attempt >= cfg.MaxAttempts {
			e.deadLetter(d, err, at)
			return
		}
		delay := cfg.Backoff.Delay(d.Attempt)
		if !cfg.FIFO {
			if rerr := e.q.drv.Retry(e.sctx, d, delay, at.linkHeaders()); rerr != nil {
				e.brokerError("retry", d, rerr, at)
			} else {
				m.retried.Inc()
			}
			at.finish(err, OutcomeRetry)
			return
		}
		at.finish(err, OutcomeRetry)
		if at.span != nil {
			prev = at.span.SpanContext()
		}
		// FIFO: the next message of this key must wait for this one, so
		// the retry happens in place (documented: it holds the key's lane).
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-e.stopCh:
			t.Stop()
			e.release(d)
			return
		}
		m.retried.Inc()
		d.Attempt++
	}
}

func (e *engine) call(ctx context.Context, d *Delivery) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("handler panicked", "id", d.ID, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panic: %v", r)
		}
	}()
	return e.h(ctx, d)
}

func (e *engine) deadLetter(d *Delivery, cause error, at attempt) {
	m := e.q.m
	if !e.q.cfg.DeadLetter {
		e.log.Error("dropping message after max attempts (dead_letter = false)", "id", d.ID, "attempts", d.Attempt, "err", cause)
		if err := e.q.drv.Ack(e.sctx, d); err != nil {
			e.brokerError("ack", d, err, at)
		}
		at.finish(cause, OutcomeDrop)
		return
	}
	msg := cause.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 1024 {
		msg = msg[:1024]
	}
	h := map[string]string{
		HeaderError:    msg,
		HeaderAttempts: strconv.Itoa(d.Attempt),
		HeaderOrigin:   e.q.cfg.Name,
		HeaderFailedAt: time.Now().UTC().Format(time.RFC3339),
	}
	for k, v := range at.linkHeaders() {
		h[k] = v
	}
	if err := e.q.drv.DeadLetter(e.sctx, d, h); err != nil {
		e.brokerError("dead-letter", d, err, at)
	} else {
		m.dead.Inc()
	}
	at.finish(cause, OutcomeDeadLetter)
}

func (e *engine) release(d *Delivery) {
	// The handler context may be cancelled by now; releasing still has to
	// reach the broker.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.q.drv.Release(ctx, d); err != nil {
		e.brokerError("release", d, err, attempt{})
		return
	}
	e.q.m.released.Inc()
}

func (e *engine) brokerError(op string, d *Delivery, err error, at attempt) {
	e.q.m.errors.Inc()
	at.settleFailed(op, err)
	e.log.Warn("broker call failed; the message will be delivered again", "op", op, "id", d.ID, "err", err)
}

func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
