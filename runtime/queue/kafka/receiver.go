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
	return &receiver{d: d}, nil
}

type receiver struct {
	d       *driver
	mu      sync.Mutex
	readers []*kgo.Reader
}

func (r *receiver) open(topic string, capacity int) *kgo.Reader {
	rd := r.d.reader(topic, capacity)
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
		// The level readers join their groups independently; give them a
		// moment so a backlog of low messages does not go out before the
		// critical reader has fetched at all.
		p.warm(ctx, warmUp)
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

// warmUp bounds how long a priority consumer waits at start for every
// level's reader to have fetched.
const warmUp = 3 * time.Second

// picker hands out the highest level that has a fetched message. A level
// whose partitions Kafka says hold more (a fetched message's high-water
// mark is past it) keeps the lower levels waiting for up to catchUp: its
// reader fetches in batches, and between two batches the level looks empty
// although a backlog is there. Without this, a loaded machine handed out
// low messages between a critical level's batches.
type picker struct {
	lanes []chan fetched
	held  []*fetched // taken from a lane during warm-up, not yet handed out
	// behind[i] maps a partition of lane i to how many messages Kafka
	// holds past the last one handed out.
	behind []map[int]int64
	// waiting[i] is when lane i was first found empty while behind.
	waiting []time.Time
}

// catchUp bounds how long a level that Kafka says has more messages holds
// back the lower ones, so a stalled reader cannot starve them.
const catchUp = time.Second

func newPicker(lanes []chan fetched) *picker {
	p := &picker{lanes: lanes, held: make([]*fetched, len(lanes)), behind: make([]map[int]int64, len(lanes)), waiting: make([]time.Time, len(lanes))}
	for i := range p.behind {
		p.behind[i] = map[int]int64{}
	}
	return p
}

func (p *picker) warm(ctx context.Context, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		all := true
		for i, l := range p.lanes {
			if p.held[i] != nil {
				continue
			}
			select {
			case f := <-l:
				p.held[i] = &f
			default:
				all = false
			}
		}
		if all {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// take records what Kafka says is left behind f in its partition.
func (p *picker) take(i int, f fetched) (fetched, bool) {
	p.behind[i][f.m.Partition] = f.m.HighWaterMark - f.m.Offset - 1
	p.waiting[i] = time.Time{}
	return f, true
}

// isBehind reports whether lane i has messages Kafka holds but its reader
// has not fetched yet, and has not been waited on for catchUp already.
func (p *picker) isBehind(i int) bool {
	left := false
	for _, n := range p.behind[i] {
		if n > 0 {
			left = true
			break
		}
	}
	if !left {
		return false
	}
	if p.waiting[i].IsZero() {
		p.waiting[i] = time.Now()
	}
	return time.Since(p.waiting[i]) < catchUp
}

func (p *picker) next() (fetched, bool) {
	for i, l := range p.lanes {
		if h := p.held[i]; h != nil {
			p.held[i] = nil
			return p.take(i, *h)
		}
		select {
		case f := <-l:
			return p.take(i, f)
		default:
		}
		if p.isBehind(i) {
			return fetched{}, false // wait for this level's next batch
		}
	}
	return fetched{}, false
}

// pick takes from the highest lane that has a message ready, else waits
// for any.
func (p *picker) pick(ctx context.Context) (fetched, bool) {
	if f, ok := p.next(); ok {
		return f, true
	}
	if len(p.lanes) == 1 {
		select {
		case f := <-p.lanes[0]:
			return f, true
		case <-ctx.Done():
			return fetched{}, false
		}
	}
	// Several lanes: poll briefly in priority order, so that a higher
	// level arriving at the same moment still goes first.
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		if f, ok := p.next(); ok {
			return f, true
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return fetched{}, false
		}
	}
}

// mover forwards delay-tier messages when their hop is due: to the next
// tier while the final due time is ahead, else to the work topic.
func (r *receiver) mover(ctx context.Context, rd *kgo.Reader) {
	d := r.d
	for {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
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
		if err := rd.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
			d.log.Warn("commit of a moved delayed message failed; it may move twice", "err", err)
		}
	}
}

func (r *receiver) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
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
