package main

import (
	"runtime"
	"testing"
)

func TestHeapEstimate(t *testing.T) {
	for _, c := range []struct {
		config int64
		want   int
	}{
		{0, 0},
		{100 << 10, 0}, // N=100: too few faults to matter
		{minWarm/heapPerByte + 1, (minWarm/heapPerByte + 1) * heapPerByte}, // the smallest block warmed
		{1200 << 10, 1200 << 10 * heapPerByte},                             // N=1,000
		{50 << 20, maxWarm},                                                // capped
	} {
		if got := heapEstimate(c.config); got != c.want {
			t.Errorf("heapEstimate(%d) = %d, want %d", c.config, got, c.want)
		}
	}
}

// TestWarmHeapLeavesNothingLive runs the smallest warm-up for real: the
// block must be garbage afterwards, or every build would carry it.
func TestWarmHeapLeavesNothingLive(t *testing.T) {
	warmHeap(minWarm/heapPerByte + 1)
	var before, after runtimeMem
	before.read()
	warmHeap(minWarm/heapPerByte + 1)
	after.read()
	if after.live > before.live+minWarm/2 {
		t.Fatalf("live heap grew from %d to %d bytes across warmHeap", before.live, after.live)
	}
}

type runtimeMem struct{ live uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&s)
	m.live = s.HeapAlloc
}
