package queue

import (
	"context"
	"time"
)

// Driver is what a broker implements. The engine in this package calls it;
// services use Queue.
//
// Every method must be safe for concurrent use. A method that cannot reach
// the broker returns an error naming the queue and the broker; it never
// reports success for work the broker does not have.
type Driver interface {
	// Declare creates the queue's topology (queues, streams, groups, delay
	// tiers, dead-letter queues) idempotently.
	Declare(ctx context.Context) error
	// Publish hands messages to the broker and returns once the broker has
	// all of them. Envelope.Level is already resolved. A delayed message is
	// stored until due.
	Publish(ctx context.Context, msgs []Envelope) error
	// NewReceiver opens a consumer.
	NewReceiver(ctx context.Context) (Receiver, error)
	// Ack settles a delivery as done.
	Ack(ctx context.Context, d *Delivery) error
	// Retry schedules d again after delay with Attempt+1, then acks d.
	Retry(ctx context.Context, d *Delivery, delay time.Duration) error
	// DeadLetter moves d to the dead-letter queue with the given headers
	// added, then acks it.
	DeadLetter(ctx context.Context, d *Delivery, headers map[string]string) error
	// Release gives d back without a verdict (requeue, or leave it pending
	// for another consumer), so that another delivery follows.
	Release(ctx context.Context, d *Delivery) error
	// Inspect reports depths.
	Inspect(ctx context.Context) (Stats, error)
	// ReplayDLQ moves up to limit dead letters (all when limit <= 0) back
	// to the queue with Attempt reset to 1, at-least-once.
	ReplayDLQ(ctx context.Context, limit int) (int, error)
	Close() error
}

// Receiver is one consumer's feed.
type Receiver interface {
	// Run delivers messages into out until ctx is done, reconnecting after
	// broker failures. Before sending each delivery it takes one unit of
	// credit; the engine gives it back when the delivery is settled. Run
	// never closes out.
	Run(ctx context.Context, credit *Credit, out chan<- *Delivery) error
	// Close ends the consumer after in-flight deliveries are settled.
	Close() error
}

// Envelope is a message on its way to a broker.
type Envelope struct {
	Message
	Level   int
	Attempt int
}

// Stats are the depths a broker reports; -1 where it cannot tell.
type Stats struct {
	Ready       int64 // waiting to be delivered
	Unacked     int64 // delivered, not yet settled
	Delayed     int64 // scheduled for later (delay tiers, retry set)
	DeadLetters int64
	Consumers   int64
}

// Credit bounds deliveries in flight in one consumer (the prefetch).
type Credit struct{ slots chan struct{} }

// NewCredit returns credit for n deliveries.
func NewCredit(n int) *Credit {
	c := &Credit{slots: make(chan struct{}, n)}
	for range n {
		c.slots <- struct{}{}
	}
	return c
}

// Acquire takes one unit, waiting for it.
func (c *Credit) Acquire(ctx context.Context) error {
	select {
	case <-c.slots:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TryAcquire takes up to n units without waiting and says how many.
func (c *Credit) TryAcquire(n int) int {
	got := 0
	for got < n {
		select {
		case <-c.slots:
			got++
		default:
			return got
		}
	}
	return got
}

// Release gives back n units.
func (c *Credit) Release(n int) {
	for range n {
		c.slots <- struct{}{}
	}
}
