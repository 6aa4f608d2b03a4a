package memory

import (
	"container/heap"
	"context"
	"strconv"
	"sync"
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

type item struct {
	env         queue.Envelope
	id          uint64
	due         time.Time
	redelivered bool
}

type state struct {
	name      string
	mu        sync.Mutex
	ready     [queue.Levels]deque
	delayed   dueHeap
	dlq       []*item
	unacked   int64
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
	s.nextID++
	it := &item{env: env, id: s.nextID}
	if env.Delay > 0 {
		it.due = now.Add(env.Delay)
		heap.Push(&s.delayed, it)
		return
	}
	s.ready[env.Level].pushBack(it)
}

// take pops up to n ready items, highest priority first, after moving the
// delayed items that are due. It returns the next due time when nothing is
// ready.
func (s *state) take(n int, now time.Time, out []*item) ([]*item, time.Time) {
	for len(s.delayed) > 0 && !s.delayed[0].due.After(now) {
		it := heap.Pop(&s.delayed).(*item)
		s.ready[it.env.Level].pushBack(it)
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
	s.mu.Lock()
	for i := range msgs {
		env := msgs[i]
		env.Headers = queue.CloneHeaders(env.Headers)
		s.push(env, now)
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
	d.s.mu.Lock()
	d.s.unacked--
	d.s.mu.Unlock()
	return nil
}

func (d *driver) Retry(_ context.Context, dl *queue.Delivery, delay time.Duration) error {
	it := dl.Tag.(*item)
	env := it.env
	env.Attempt = dl.Attempt + 1
	env.Delay = delay
	s := d.s
	s.mu.Lock()
	s.unacked--
	s.push(env, time.Now())
	s.signal()
	s.mu.Unlock()
	return nil
}

func (d *driver) DeadLetter(_ context.Context, dl *queue.Delivery, headers map[string]string) error {
	it := dl.Tag.(*item)
	env := it.env
	env.Headers = queue.CloneHeaders(env.Headers)
	if env.Headers == nil {
		env.Headers = map[string]string{}
	}
	for k, v := range headers {
		env.Headers[k] = v
	}
	env.Attempt = dl.Attempt
	s := d.s
	s.mu.Lock()
	s.unacked--
	s.dlq = append(s.dlq, &item{env: env, id: it.id})
	s.mu.Unlock()
	return nil
}

func (d *driver) Release(_ context.Context, dl *queue.Delivery) error {
	it := dl.Tag.(*item)
	it.redelivered = true
	s := d.s
	s.mu.Lock()
	s.unacked--
	s.ready[it.env.Level].pushFront(it)
	s.signal()
	s.mu.Unlock()
	return nil
}

func (d *driver) Inspect(context.Context) (queue.Stats, error) {
	s := d.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := queue.Stats{Unacked: s.unacked, Delayed: int64(len(s.delayed)), DeadLetters: int64(len(s.dlq)), Consumers: s.consumers}
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
		env := it.env
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
				s.unacked += int64(len(batch))
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
			d := &queue.Delivery{
				Message:     it.env.Message,
				ID:          strconv.FormatUint(it.id, 10),
				Attempt:     it.env.Attempt,
				Redelivered: it.redelivered,
				Queue:       s.name,
				Tag:         it,
				Level:       it.env.Level,
			}
			select {
			case out <- d:
			case <-ctx.Done():
				// Not handed out: put the rest back in order.
				s.mu.Lock()
				for j := len(batch) - 1; j >= i; j-- {
					s.ready[batch[j].env.Level].pushFront(batch[j])
				}
				s.unacked -= int64(len(batch) - i)
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
