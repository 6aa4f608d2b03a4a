package memory

import (
	"container/heap"
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nbac/nbac/runtime/queue"
)

// Broker holds in-process queues by name.
type Broker struct {
	mu     sync.Mutex
	queues map[string]*state
}

var (
	brokersMu sync.Mutex
	brokers   = map[string]*Broker{}
)

// Named returns the process-wide broker called name, creating it: every
// runtime in the process that opens broker "x" shares its queues.
func Named(name string) *Broker {
	brokersMu.Lock()
	defer brokersMu.Unlock()
	b := brokers[name]
	if b == nil {
		b = &Broker{queues: map[string]*state{}}
		brokers[name] = b
	}
	return b
}

// Driver returns the driver of queue cfg.Name on b.
func (b *Broker) Driver(cfg queue.Config) queue.Driver {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.queues[cfg.Name]
	if s == nil {
		s = &state{name: cfg.Name, wake: make(chan struct{})}
		b.queues[cfg.Name] = s
	}
	return &driver{s: s}
}

// item is a stored message; its delivery is built in place so a message
// costs one allocation from publish to ack.
type item struct {
	d   queue.Delivery
	id  uint64
	due time.Time
}

func (it *item) set(env *queue.Envelope) {
	it.d.Message, it.d.Attempt, it.d.Level = env.Message, env.Attempt, env.Level
}

func (it *item) envelope() queue.Envelope {
	return queue.Envelope{Message: it.d.Message, Level: it.d.Level, Attempt: it.d.Attempt}
}

type state struct {
	name      string
	mu        sync.Mutex
	ready     [queue.Levels]deque
	delayed   dueHeap
	dlq       []*item
	unacked   atomic.Int64
	consumers int64
	nextID    uint64
	waiters   int
	wake      chan struct{} // closed and replaced to wake every waiter
}

// signal wakes waiting receivers; s.mu must be held.
func (s *state) signal() {
	if s.waiters > 0 {
		close(s.wake)
		s.wake = make(chan struct{})
		s.waiters = 0
	}
}

func (s *state) push(env queue.Envelope, now time.Time) {
	it := &item{}
	it.set(&env)
	s.pushItem(it, now)
}

func (s *state) pushItem(it *item, now time.Time) {
	s.nextID++
	it.id = s.nextID
	if it.d.Delay > 0 {
		it.due = now.Add(it.d.Delay)
		it.d.Delay = 0
		heap.Push(&s.delayed, it)
		return
	}
	s.ready[it.d.Level].pushBack(it)
}

// take pops up to n ready items, highest priority first, after moving the
// delayed items that are due. It returns the next due time when nothing is
// ready.
func (s *state) take(n int, now time.Time, out []*item) ([]*item, time.Time) {
	for len(s.delayed) > 0 && !s.delayed[0].due.After(now) {
		it := heap.Pop(&s.delayed).(*item)
		s.ready[it.d.Level].pushBack(it)
	}
	for l := queue.Levels - 1; l >= 0 && len(out) < n; l-- {
		for len(out) < n {
			it := s.ready[l].popFront()
			if it == nil {
				break
			}
			out = append(out, it)
		}
	}
	var next time.Time
	if len(s.delayed) > 0 {
		next = s.delayed[0].due
	}
	return out, next
}

type driver struct{ s *state }

func (d *driver) Declare(context.Context) error { return nil }

func (d *driver) Publish(ctx context.Context, msgs []queue.Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	s := d.s
	items := make([]item, len(msgs)) // one allocation per batch
	for i := range msgs {
		items[i].set(&msgs[i])
		items[i].d.Headers = queue.CloneHeaders(msgs[i].Headers)
	}
	s.mu.Lock()
	for i := range items {
		s.pushItem(&items[i], now)
	}
	s.signal()
	s.mu.Unlock()
	return nil
}

func (d *driver) NewReceiver(context.Context) (queue.Receiver, error) {
	d.s.mu.Lock()
	d.s.consumers++
	d.s.mu.Unlock()
	return &receiver{s: d.s}, nil
}

func (d *driver) Ack(_ context.Context, _ *queue.Delivery) error {
	d.s.unacked.Add(-1)
	return nil
}

// System names the broker for the messaging.system span attribute.
func (d *driver) System() string { return "memory" }

func (d *driver) Retry(_ context.Context, dl *queue.Delivery, delay time.Duration, headers map[string]string) error {
	it := dl.Tag.(*item)
	env := it.envelope()
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt + 1
	env.Delay = delay
	s := d.s
	s.mu.Lock()
	s.unacked.Add(-1)
	s.push(env, time.Now())
	s.signal()
	s.mu.Unlock()
	return nil
}

func (d *driver) DeadLetter(_ context.Context, dl *queue.Delivery, headers map[string]string) error {
	it := dl.Tag.(*item)
	env := it.envelope()
	env.Headers = queue.AddHeaders(env.Headers, headers)
	env.Attempt = dl.Attempt
	s := d.s
	s.mu.Lock()
	s.unacked.Add(-1)
	dead := &item{id: it.id}
	dead.set(&env)
	s.dlq = append(s.dlq, dead)
	s.mu.Unlock()
	return nil
}

func (d *driver) Release(_ context.Context, dl *queue.Delivery) error {
	it := dl.Tag.(*item)
	s := d.s
	s.mu.Lock()
	it.d.Redelivered = true
	s.unacked.Add(-1)
	s.ready[it.d.Level].pushFront(it)
	s.signal()
	s.mu.Unlock()
	return nil
}

func (d *driver) Inspect(context.Context) (queue.Stats, error) {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := queue.Stats{Unacked: s.unacked.Load(), Delayed: int64(len(s.delayed)), DeadLetters: int64(len(s.dlq)), Consumers: s.consumers}
	for i := range s.ready {
		st.Ready += int64(s.ready[i].len())
	}
	return st, nil
}

func (d *driver) ReplayDLQ(_ context.Context, limit int) (int, error) {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.dlq)
	if limit > 0 && limit < n {
		n = limit
	}
	now := time.Now()
	for _, it := range s.dlq[:n] {
		env := it.envelope()
		env.Attempt = 1
		env.Delay = 0
		env.Headers[queue.HeaderReplayed] = "1"
		s.push(env, now)
	}
	s.dlq = append(s.dlq[:0], s.dlq[n:]...)
	s.signal()
	return n, nil
}

func (d *driver) Close() error { return nil }

type receiver struct{ s *state }

func (r *receiver) Run(ctx context.Context, credit *queue.Credit, out chan<- *queue.Delivery) error {
	s := r.s
	var batch []*item
	for {
		if err := credit.Acquire(ctx); err != nil {
			return err
		}
		n := 1 + credit.TryAcquire(63)
		for {
			s.mu.Lock()
			var next time.Time
			batch, next = s.take(n, time.Now(), batch[:0])
			if len(batch) > 0 {
				s.unacked.Add(int64(len(batch)))
				s.mu.Unlock()
				break
			}
			s.waiters++
			wake := s.wake
			s.mu.Unlock()
			var timer <-chan time.Time
			var t *time.Timer
			if !next.IsZero() {
				t = time.NewTimer(time.Until(next))
				timer = t.C
			}
			select {
			case <-wake:
			case <-timer:
			case <-ctx.Done():
			}
			if t != nil {
				t.Stop()
			}
			if ctx.Err() != nil {
				credit.Release(n)
				return ctx.Err()
			}
		}
		credit.Release(n - len(batch))
		for i, it := range batch {
			d := &it.d
			d.ID = strconv.FormatUint(it.id, 10)
			d.Queue = s.name
			d.Tag = it
			select {
			case out <- d:
			case <-ctx.Done():
				// Not handed out: put the rest back in order.
				s.mu.Lock()
				for j := len(batch) - 1; j >= i; j-- {
					s.ready[batch[j].d.Level].pushFront(batch[j])
				}
				s.unacked.Add(-int64(len(batch) - i))
				s.signal()
				s.mu.Unlock()
				credit.Release(len(batch) - i)
				return ctx.Err()
			}
		}
	}
}

func (r *receiver) Close() error {
	r.s.mu.Lock()
	r.s.consumers--
	r.s.mu.Unlock()
	return nil
}
