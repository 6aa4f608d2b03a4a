package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// ErrClosed is returned by Consume on a queue that Close has been called on.
var ErrClosed = errors.New("queue is closed")

// Publisher is the publishing half of a Queue.
type Publisher interface {
	Publish(ctx context.Context, m Message) error
	PublishBatch(ctx context.Context, msgs []Message) error
}

// Consumer is the consuming half of a Queue.
type Consumer interface {
	Consume(ctx context.Context, h Handler, opts ConsumeOptions) error
}

// Handler handles one delivery. Returning nil acks it; an error (or a
// panic) is a failed attempt. ctx is cancelled only when a shutdown's
// deadline passes, never when the shutdown starts.
type Handler func(ctx context.Context, d *Delivery) error

// Queue is one queue of the model bound to its broker's driver.
type Queue struct {
	cfg Config
	drv Driver
	m   *metrics
	tr  *tracing // nil: tracing off

	mu       sync.Mutex
	declared bool

	// Close stops running Consume calls through stop, then waits for them
	// (consumers) before it closes the driver, so in-flight handlers finish
	// and their acks reach the broker first.
	life      sync.Mutex
	closed    bool
	consumers sync.WaitGroup
	stop      context.Context
	stopAll   context.CancelFunc
	closeOnce sync.Once
	closeErr  error
}

var (
	_ Publisher = (*Queue)(nil)
	_ Consumer  = (*Queue)(nil)
)

// New binds cfg (defaults applied) to drv.
func New(cfg Config, drv Driver) *Queue {
	cfg = cfg.withDefaults()
	stop, stopAll := context.WithCancel(context.Background())
	return &Queue{cfg: cfg, drv: drv, m: newMetrics(cfg.Name), tr: newTracing(cfg, drv), stop: stop, stopAll: stopAll}
}

// Name is the queue's name in the model.
func (q *Queue) Name() string { return q.cfg.Name }

// Config returns the queue's effective settings.
func (q *Queue) Config() Config { return q.cfg }

// Driver returns the broker driver (for tools such as `nbac queue`).
func (q *Queue) Driver() Driver { return q.drv }

// Declare creates the queue's topology on the broker; Publish and Consume
// call it on first use. It is idempotent.
func (q *Queue) Declare(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.declared {
		return nil
	}
	if err := q.drv.Declare(ctx); err != nil {
		return fmt.Errorf("queue %q: declare: %w", q.cfg.Name, err)
	}
	q.declared = true
	return nil
}

// Publish sends m and returns once the broker has it. An error means the
// message may or may not have been stored: publish again (consumers see
// duplicates, never gaps).
func (q *Queue) Publish(ctx context.Context, m Message) error {
	return q.PublishBatch(ctx, []Message{m})
}

// PublishBatch sends msgs and returns once the broker has all of them; the
// broker receives them back to back and confirms them together.
func (q *Queue) PublishBatch(ctx context.Context, msgs []Message) error {
	if err := q.Declare(ctx); err != nil {
		return err
	}
	envs := make([]Envelope, len(msgs))
	for i := range msgs {
		lvl, err := q.cfg.check(&msgs[i])
		if err != nil {
			return err
		}
		envs[i] = Envelope{Message: msgs[i], Level: lvl, Attempt: 1}
	}
	if q.tr == nil {
		return q.publish(ctx, envs)
	}
	var one [1]trace.Span
	spans := one[:]
	if len(envs) > 1 {
		spans = make([]trace.Span, len(envs))
	}
	for i := range envs {
		spans[i] = q.tr.startPublish(ctx, &envs[i], len(envs))
	}
	err := q.publish(ctx, envs)
	for _, s := range spans {
		endSpan(s, err)
	}
	return err
}

func (q *Queue) publish(ctx context.Context, envs []Envelope) error {
	if err := q.drv.Publish(ctx, envs); err != nil {
		return fmt.Errorf("queue %q: publish: %w", q.cfg.Name, err)
	}
	q.m.published.Add(float64(len(envs)))
	return nil
}

// Inspect reports the queue's depths as the broker tells them.
func (q *Queue) Inspect(ctx context.Context) (Stats, error) {
	if err := q.Declare(ctx); err != nil {
		return Stats{}, err
	}
	return q.drv.Inspect(ctx)
}

// ReplayDLQ moves up to limit dead letters (all when limit <= 0) back to
// the queue with their attempt count reset; it returns how many moved.
func (q *Queue) ReplayDLQ(ctx context.Context, limit int) (int, error) {
	if err := q.Declare(ctx); err != nil {
		return 0, err
	}
	var span trace.Span
	if q.tr != nil {
		ctx, span = q.tr.tracer.Start(ctx, q.tr.replayName, trace.WithAttributes(q.tr.base...))
	}
	n, err := q.drv.ReplayDLQ(ctx, limit)
	if err != nil {
		err = fmt.Errorf("queue %q: replay dead letters: %w", q.cfg.Name, err)
	}
	if span != nil {
		span.SetAttributes(semconv.MessagingBatchMessageCount(n))
		endSpan(span, err)
	}
	return n, err
}

// Close shuts down every running Consume exactly as cancelling its context
// does (fetching stops, deliveries not started are given back, in-flight
// handlers finish within shutdown_timeout and are acked), waits for them to
// return, and only then closes the driver's connections. Consume after
// Close returns ErrClosed. It is safe to call more than once.
func (q *Queue) Close() error {
	q.closeOnce.Do(func() {
		q.life.Lock()
		q.closed = true
		q.life.Unlock()
		q.stopAll()
		q.consumers.Wait()
		q.closeErr = q.drv.Close()
	})
	return q.closeErr
}

// enter registers a Consume; it fails once Close has started.
func (q *Queue) enter() error {
	q.life.Lock()
	defer q.life.Unlock()
	if q.closed {
		return fmt.Errorf("queue %q: consume: %w", q.cfg.Name, ErrClosed)
	}
	q.consumers.Add(1)
	return nil
}
