package queue

import (
	"testing"
	"time"
)

func TestBackoffExponentialCapped(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w*time.Millisecond {
			t.Errorf("Delay(%d) = %s, want %s", i+1, got, w*time.Millisecond)
		}
	}
}

func TestBackoffJitterStaysInHalfOpenRange(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Jitter: true}
	for attempt := 1; attempt <= 5; attempt++ {
		full := Backoff{Initial: b.Initial, Max: b.Max}.Delay(attempt)
		for range 200 {
			d := b.Delay(attempt)
			if d < full/2 || d >= full {
				t.Fatalf("Delay(%d) = %s, outside [%s, %s)", attempt, d, full/2, full)
			}
		}
	}
}

func TestBackoffConstant(t *testing.T) {
	b := Backoff{Constant: true, Initial: 300 * time.Millisecond, Max: time.Minute}
	if got := b.Delay(7); got != 300*time.Millisecond {
		t.Fatalf("constant Delay(7) = %s, want 300ms", got)
	}
}

func TestCheckRejectsBadMessages(t *testing.T) {
	c := Config{Name: "orders", MaxDelay: time.Second}.withDefaults()
	if _, err := c.check(&Message{Priority: "urgent"}); err == nil {
		t.Error("unknown priority accepted")
	}
	if _, err := c.check(&Message{Delay: 2 * time.Second}); err == nil {
		t.Error("delay above max_delay accepted")
	}
	if lvl, err := c.check(&Message{Priority: PriorityCritical}); err != nil || lvl != 1 {
		t.Errorf("queue without priorities: level = %d, %v; want normal (1)", lvl, err)
	}
}

func TestCreditAcquireBatchWaitsForLowWatermark(t *testing.T) {
	c := NewCredit(8)
	if n := c.TryAcquire(7); n != 7 {
		t.Fatalf("TryAcquire(7) = %d", n)
	}
	got := make(chan int, 1)
	go func() {
		n, _ := c.AcquireBatch(t.Context(), 4, 100)
		got <- n
	}()
	c.Release(2) // 3 free: below the watermark, the batch must keep waiting
	select {
	case n := <-got:
		t.Fatalf("AcquireBatch returned %d with only 3 units free", n)
	case <-time.After(20 * time.Millisecond):
	}
	c.Release(2)
	if n := <-got; n != 5 {
		t.Fatalf("AcquireBatch = %d, want all 5 free units", n)
	}
}

func TestDueMilliRoundsUp(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_123)
	if got := DueMilli(base); got != 1_700_000_000_123 {
		t.Errorf("DueMilli(exact ms) = %d", got)
	}
	if got := DueMilli(base.Add(time.Microsecond)); got != 1_700_000_000_124 {
		t.Errorf("DueMilli(ms + 1us) = %d, want the next millisecond", got)
	}
}
