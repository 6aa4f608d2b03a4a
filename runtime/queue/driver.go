package queue

import (
	"context"
	"sync"
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
	// Retry schedules d again after delay with Attempt+1 and the given
	// headers added (the engine's trace link; nil for none), then acks d.
	Retry(ctx context.Context, d *Delivery, delay time.Duration, headers map[string]string) error
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

// Credit bounds deliveries in flight in one consumer (the prefetch). It is
// taken and given back once per message, so it is a counter under a mutex
// rather than a channel of tokens.
type Credit struct {
	mu   sync.Mutex
	n    int
	wake chan struct{} // made when someone waits; closed by Release
}

// NewCredit returns credit for n deliveries.
func NewCredit(n int) *Credit { return &Credit{n: n} }

// Acquire takes one unit, waiting for it.
func (c *Credit) Acquire(ctx context.Context) error {
	for {
		c.mu.Lock()
		if c.n > 0 {
			c.n--
			c.mu.Unlock()
			return nil
		}
		if c.wake == nil {
			c.wake = make(chan struct{})
		}
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AcquireBatch waits until at least lo units are free (or, when fewer than
// lo exist in all, all of them), then takes up to hi. A pull-based driver
// uses it to fetch in batches rather than one message per round trip when
// its consumer is the bottleneck.
func (c *Credit) AcquireBatch(ctx context.Context, lo, hi int) (int, error) {
	for {
		c.mu.Lock()
		if c.n >= lo && c.n > 0 {
			got := min(hi, c.n)
			c.n -= got
			c.mu.Unlock()
			return got, nil
		}
		if c.wake == nil {
			c.wake = make(chan struct{})
		}
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// TryAcquire takes up to n units without waiting and says how many.
func (c *Credit) TryAcquire(n int) int {
	c.mu.Lock()
	got := min(n, c.n)
	c.n -= got
	c.mu.Unlock()
	return got
}

// Release gives back n units.
func (c *Credit) Release(n int) {
	if n <= 0 {
		return
	}
	c.mu.Lock()
	c.n += n
	if c.wake != nil {
		close(c.wake)
		c.wake = nil
	}
	c.mu.Unlock()
}
