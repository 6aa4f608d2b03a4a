package main

import (
	"os"
	"path/filepath"
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

func TestConfigSizeCountsConfigurationFilesOnly(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int{"a.hcl": 100, "b.hcl.json": 20, "prod.nbvars": 1000, "notes.md": 500} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.hcl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := configSize(dir); got != 120 {
		t.Errorf("configSize(dir) = %d, want 120 (a.hcl + b.hcl.json)", got)
	}
	if got := configSize(filepath.Join(dir, "a.hcl")); got != 100 {
		t.Errorf("configSize(file) = %d, want 100", got)
	}
	if got := configSize(filepath.Join(dir, "missing")); got != 0 {
		t.Errorf("configSize(missing) = %d, want 0", got)
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
