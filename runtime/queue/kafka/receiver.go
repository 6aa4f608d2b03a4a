package kafka

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	kgo "github.com/segmentio/kafka-go"

	"github.com/nbac/nbac/runtime/queue"
)

func (d *driver) NewReceiver(context.Context) (queue.Receiver, error) {
	return &receiver{d: d, stop: make(chan struct{})}, nil
}

type receiver struct {
	d       *driver
	stop    chan struct{} // closed by Close: connects stop retrying
	mu      sync.Mutex
	closed  bool
	readers []*kgo.Reader
}

func (r *receiver) open(topic string, capacity int) *kgo.Reader {
	rd := r.d.reader(topic, capacity, r.stop)
	r.mu.Lock()
	r.readers = append(r.readers, rd)
	r.mu.Unlock()
	return rd
}

// fetched is a message read from one work topic, waiting for a worker.
type fetched struct {
	m     kgo.Message
	track *tracker
}

func (r *receiver) Run(ctx context.Context, credit *queue.Credit, out chan<- *queue.Delivery) error {
	d := r.d
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, t := range d.tiers {
		rd := r.open(d.tierTopic(t), 64)
		wg.Go(func() { r.mover(ctx, rd) })
	}
	// One reader per level; lanes[0] is the highest priority.
	lanes := make([]chan fetched, len(d.work))
	for i, topic := range d.work {
		lanes[i] = make(chan fetched)
		rd := r.open(topic, d.cfg.Prefetch)
		tr := newTracker(rd)
		wg.Go(func() {
			for {
				m, err := rd.FetchMessage(ctx)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					d.log.Warn("fetch failed; retrying", "topic", topic, "err", err)
					time.Sleep(100 * time.Millisecond)
					continue
				}
				tr.fetched(m)
				select {
				case lanes[i] <- fetched{m, tr}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	p := newPicker(lanes)
	if len(lanes) > 1 {
		// The level readers join their groups independently, each at its
		// own pace: ask the broker what every level holds now, so that a
		// backlog of low messages does not go out before the critical
		// reader has fetched what was queued before it.
		for i, topic := range d.work {
			left, err := d.backlog(ctx, topic)
			if err != nil {
				d.log.Warn("reading a priority level's backlog failed; its order at start is best effort", "topic", topic, "err", err)
				continue
			}
			p.queued(i, left)
		}
	}
	for {
		if err := credit.Acquire(ctx); err != nil {
			return err
		}
		f, ok := p.pick(ctx)
		if !ok {
			credit.Release(1)
			return ctx.Err()
		}
		env, _ := decode(&f.m)
		out <- &queue.Delivery{
			Message: env.Message,
			ID:      f.m.Topic + "/" + strconv.Itoa(f.m.Partition) + "/" + strconv.FormatInt(f.m.Offset, 10),
			Attempt: env.Attempt,
			Queue:   d.cfg.Name,
			Level:   env.Level,
			Tag:     &tag{m: f.m, env: env, track: f.track},
		}
	}
}

// mover forwards delay-tier messages when their hop is due: to the next
// tier while the final due time is ahead, else to the work topic.
//
// After a cut the reader's group rejoins and the reader goes back to the
// last committed offset: a message moved whose commit did not make it is
// fetched again. moved remembers, per partition, the last offset already
// forwarded, so it is committed, not forwarded twice.
func (r *receiver) mover(ctx context.Context, rd *kgo.Reader) {
	d := r.d
	moved := map[int]int64{}
	for {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if last, ok := moved[m.Partition]; ok && m.Offset <= last {
			if err := rd.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
				d.log.Warn("commit of a moved delayed message failed; it may move twice", "err", err)
			}
			continue
		}
		if wait := time.Until(hopOf(&m)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return // not committed: read again next time
			}
		}
		env, due := decode(&m)
		env.Delay = time.Until(due)
		if env.Delay < 0 {
			env.Delay = 0
		}
		next := d.message(&env, time.Now())
		// Keep the original due time across hops.
		if env.Delay > 0 {
			for i, h := range next.Headers {
				if h.Key == hDue {
					next.Headers[i].Value = strconv.AppendInt(nil, queue.DueMilli(due), 10)
				}
			}
		}
		for {
			err := d.write(ctx, next)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			d.log.Warn("moving a delayed message failed; retrying", "err", err)
			time.Sleep(200 * time.Millisecond)
		}
		moved[m.Partition] = m.Offset
		if err := rd.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
			d.log.Warn("commit of a moved delayed message failed; it may move twice", "err", err)
		}
	}
}

func (r *receiver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		close(r.stop)
	}
	var errs []error
	for _, rd := range r.readers {
		errs = append(errs, rd.Close())
	}
	r.readers = nil
	return errors.Join(errs...)
}

// tag is a delivery's message and the tracker of its partition.
type tag struct {
	m     kgo.Message
	env   queue.Envelope
	track *tracker
}

func (t *tag) settle(ctx context.Context) error { return t.track.settle(ctx, t.m) }

// tracker commits, per partition, only up to the lowest offset still in
// flight: workers finish out of order, and committing a later offset would
// skip an earlier message if the process died.
type tracker struct {
	rd    *kgo.Reader
	mu    sync.Mutex
	parts map[int]*partition
	// commitMu orders commits: two workers settling at once must not
	// commit a lower offset after a higher one.
	commitMu  sync.Mutex
	committed map[int]int64
}

type partition struct {
	order []int64 // fetched offsets, ascending
	done  map[int64]bool
	last  int64 // highest fetched offset
}

func newTracker(rd *kgo.Reader) *tracker {
	return &tracker{rd: rd, parts: map[int]*partition{}, committed: map[int]int64{}}
}

func (t *tracker) fetched(m kgo.Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.parts[m.Partition]
	if p == nil || m.Offset <= p.last {
		// New partition, or the reader went back (rebalance, reconnect):
		// what was in flight before is fetched again, so start over.
		p = &partition{done: map[int64]bool{}, last: -1}
		t.parts[m.Partition] = p
	}
	p.order = append(p.order, m.Offset)
	p.last = m.Offset
}

func (t *tracker) settle(ctx context.Context, m kgo.Message) error {
	t.mu.Lock()
	p := t.parts[m.Partition]
	if p == nil {
		t.mu.Unlock()
		return nil
	}
	p.done[m.Offset] = true
	commit := int64(-1)
	for len(p.order) > 0 && p.done[p.order[0]] {
		commit = p.order[0]
		delete(p.done, commit)
		p.order = p.order[1:]
	}
	t.mu.Unlock()
	if commit < 0 {
		return nil
	}
	t.commitMu.Lock()
	defer t.commitMu.Unlock()
	if prev, ok := t.committed[m.Partition]; ok && prev >= commit {
		return nil
	}
	c := m
	c.Offset = commit
	if err := t.rd.CommitMessages(ctx, c); err != nil {
		return err
	}
	t.committed[m.Partition] = commit
	return nil
}
