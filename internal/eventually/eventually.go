// Package eventually is how nbac's tests wait for an event: they poll a
// condition until it holds. The deadline only stops a broken test from
// hanging; it is never a timing assertion, so it is generous and a slow or
// saturated machine does not change a verdict (docs/testing.md).
package eventually

import (
	"testing"
	"time"
)

// poll is how often the condition is checked: fine enough that a measured
// wait (logged by some tests) is accurate to a few milliseconds.
const poll = 10 * time.Millisecond

// True polls cond until it holds, failing the test when max passes first.
func True(t testing.TB, max time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(max)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", max, what)
		}
		time.Sleep(poll)
	}
}
