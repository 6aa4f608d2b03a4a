package lbctl

import (
	"context"
	"testing"
	"time"
)

// pastDeadline is a context whose deadline has passed while Err is still
// nil: the moment between a socket call failing with "i/o timeout" at the
// deadline and the context's own timer firing, which a saturated machine
// stretches (TestDelServerWaitsForSessions reported the dial error instead
// of "still had 1 sessions").
type pastDeadline struct{ context.Context }

func (pastDeadline) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }
func (pastDeadline) Err() error                  { return nil }

func TestWaitEnded(t *testing.T) {
	live, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{"deadline ahead", live, false},
		{"no deadline", context.Background(), false},
		{"cancelled", cancelled, true},
		{"deadline passed, Err not yet set", pastDeadline{context.Background()}, true},
	} {
		if got := waitEnded(c.ctx); got != c.want {
			t.Errorf("%s: waitEnded = %v, want %v", c.name, got, c.want)
		}
	}
}
