package queue

import (
	"math/rand/v2"
	"time"
)

// Backoff computes retry delays.
type Backoff struct {
	Constant bool // every retry waits Initial
	Initial  time.Duration
	Max      time.Duration
	// Jitter spreads each delay over [d/2, d) ("equal jitter"): retries of
	// many messages failing together do not arrive together, and the delay
	// still never shrinks from one attempt to the next.
	Jitter bool
}

// Delay is the wait before attempt+1, after attempt (1-based) failed.
func (b Backoff) Delay(attempt int) time.Duration {
	d := b.Initial
	if !b.Constant {
		for i := 1; i < attempt && d < b.Max; i++ {
			d *= 2
		}
	}
	d = min(d, b.Max)
	if b.Jitter && d > 1 {
		half := d / 2
		d = half + rand.N(d-half)
	}
	return d
}

// DueMilli is t in Unix milliseconds rounded up, so a due time stored at
// millisecond precision never comes before the time it stands for.
func DueMilli(t time.Time) int64 {
	ns := t.UnixNano()
	ms := ns / 1e6
	if ns%1e6 > 0 {
		ms++
	}
	return ms
}
