package queue

import (
	"fmt"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/nbac/nbac/schema"
)

// Config is a queue's settings with the model's defaults applied.
type Config struct {
	Name       string
	Priorities bool
	FIFO       bool
	Workers    int
	Prefetch   int
	// MaxAttempts includes the first delivery.
	MaxAttempts     int
	Backoff         Backoff
	DeadLetter      bool
	MaxDelay        time.Duration
	ShutdownTimeout time.Duration
	// QueueType is the RabbitMQ queue type, QueueClassic ("" too) or
	// QueueQuorum; other drivers ignore it.
	QueueType string
	// VisibilityTimeout is how long a delivery may stay unsettled before
	// the broker gives it to another consumer (default 1m). Only Redis
	// Streams uses it (XAUTOCLAIM's min-idle); RabbitMQ redelivers when the
	// channel closes and Kafka after a rebalance, whatever it says.
	VisibilityTimeout time.Duration
	// Logger receives the engine's and the driver's warnings (default
	// slog.Default()); the runtime sets its own (runtime.WithLogger).
	// ConsumeOptions.Logger overrides it for one Consume.
	Logger *slog.Logger
	// TracerProvider, when set, traces publishes and handler calls and
	// carries W3C trace context in message headers (docs/tracing.md). Nil
	// (the default) turns tracing off at no cost; pass
	// otel.GetTracerProvider() to use the global one. The runtime sets it
	// from runtime.WithTracerProvider.
	TracerProvider trace.TracerProvider
	// Propagator writes and reads the trace context in message headers
	// (default propagation.TraceContext{}); used only with TracerProvider.
	Propagator propagation.TextMapPropagator
}

// RabbitMQ queue types (queue_type in the model).
const (
	QueueClassic = "classic"
	QueueQuorum  = "quorum"
)

// DefaultVisibilityTimeout is VisibilityTimeout when the model leaves it
// out (or shutdown_timeout, when that is longer, so that a handler still
// finishing at shutdown is not handed to another consumer meanwhile):
// longer than most handlers, short enough that a crashed consumer's
// messages come back within a couple of minutes.
const DefaultVisibilityTimeout = time.Minute

// visibility is VisibilityTimeout with its default applied.
func (c Config) visibility() time.Duration {
	if c.VisibilityTimeout > 0 {
		return c.VisibilityTimeout
	}
	return max(DefaultVisibilityTimeout, c.ShutdownTimeout)
}

// EffectiveVisibilityTimeout is VisibilityTimeout with its default applied,
// for a driver given a Config that did not go through New.
func (c Config) EffectiveVisibilityTimeout() time.Duration { return c.visibility() }

// ConfigFrom applies the documented defaults to a model queue block.
func ConfigFrom(q *schema.Queue) Config {
	c := Config{
		Name:            q.Name,
		Priorities:      q.Priorities,
		FIFO:            q.Ordering == "fifo",
		Workers:         q.Workers,
		Prefetch:        q.Prefetch,
		MaxAttempts:     q.Retry.MaxAttempts,
		DeadLetter:      q.DeadLetter,
		MaxDelay:        q.MaxDelay.D(),
		ShutdownTimeout: q.ShutdownTimeout.D(),
		QueueType:       q.QueueType,
		// 0 (left out of the model) means the default.
		VisibilityTimeout: q.VisibilityTimeout.D(),
		Backoff: Backoff{
			Constant: q.Retry.Backoff == "constant",
			Initial:  q.Retry.Initial.D(),
			Max:      q.Retry.Max.D(),
			Jitter:   q.Retry.Jitter,
		},
	}
	return c.withDefaults()
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.Prefetch <= 0 {
		c.Prefetch = 2 * c.Workers
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.Backoff.Initial <= 0 {
		c.Backoff.Initial = time.Second
	}
	if c.Backoff.Max <= 0 {
		c.Backoff.Max = time.Minute
	}
	if c.Backoff.Max < c.Backoff.Initial {
		c.Backoff.Max = c.Backoff.Initial
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 30 * time.Second
	}
	c.VisibilityTimeout = c.visibility()
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// LongestDelay is the longest delay a driver must be able to schedule:
// the larger of max_delay and the retry backoff cap.
func (c Config) LongestDelay() time.Duration {
	return max(c.MaxDelay, c.Backoff.Max)
}

// check validates a message against the queue's settings.
func (c Config) check(m *Message) (int, error) {
	lvl, err := Level(m.Priority)
	if err != nil {
		return 0, fmt.Errorf("queue %q: %w", c.Name, err)
	}
	if m.Delay < 0 {
		return 0, fmt.Errorf("queue %q: negative delay %s", c.Name, m.Delay)
	}
	if m.Delay > 0 && m.Delay > c.MaxDelay {
		return 0, fmt.Errorf("queue %q: delay %s exceeds max_delay %s; raise max_delay in the queue block", c.Name, m.Delay, c.MaxDelay)
	}
	if !c.Priorities {
		lvl = 1
	}
	return lvl, nil
}
