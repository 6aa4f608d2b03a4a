package kafka

import (
	"context"
	"time"
)

// picker hands out the highest level that has a fetched message, and
// holds the lower levels back while a higher level is known to have
// messages its reader has not fetched yet.
//
// What is known: at start, what the broker holds past each level group's
// committed offsets (queued); after that, the high-water mark that comes
// with every fetched message. A level's reader fetches in batches, and
// between two batches (or before its group is joined) the level looks
// empty although a backlog is there; without this, a loaded machine handed
// out low messages first.
//
// The hold is not a time window the machine must meet: a level stops
// holding the others back only when its reader has caught up, or when
// what is known about a partition has not changed for stallLimit (its
// reader is not making progress on it: a partition moved to another
// process in a rebalance, or a broken reader), so a stalled level cannot
// starve the others.
type picker struct {
	lanes []chan fetched
	// left[i] maps a partition of lane i to what the broker holds past the
	// last message handed out, and when that was learned.
	left []map[int]known
}

type known struct {
	n  int64
	at time.Time
}

// stallLimit is how long a level whose partition knowledge has not
// changed keeps holding lower levels back.
const stallLimit = 10 * time.Second

func newPicker(lanes []chan fetched) *picker {
	p := &picker{lanes: lanes, left: make([]map[int]known, len(lanes))}
	for i := range p.left {
		p.left[i] = map[int]known{}
	}
	return p
}

// queued records what the broker holds for lane i, per partition, before
// its reader fetched anything.
func (p *picker) queued(i int, left map[int]int64) {
	now := time.Now()
	for part, n := range left {
		if n > 0 {
			p.left[i][part] = known{n, now}
		}
	}
}

// take records what Kafka says is left behind f in its partition.
func (p *picker) take(i int, f fetched) (fetched, bool) {
	p.left[i][f.m.Partition] = known{f.m.HighWaterMark - f.m.Offset - 1, time.Now()}
	return f, true
}

// isBehind reports whether lane i has messages Kafka holds and its reader
// has not fetched yet, and is still making progress.
func (p *picker) isBehind(i int) bool {
	for part, k := range p.left[i] {
		if k.n <= 0 {
			continue
		}
		if time.Since(k.at) < stallLimit {
			return true
		}
		delete(p.left[i], part) // stalled: stop holding the others back
	}
	return false
}

func (p *picker) next() (fetched, bool) {
	for i, l := range p.lanes {
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
