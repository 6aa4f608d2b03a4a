package compile

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// nbacBinary builds cmd/nbac once per process, as `make build` does.
func nbacBinary(tb testing.TB) string {
	binOnce.Do(func() {
		binPath = filepath.Join(benchRoot, "nbac")
		cmd := exec.Command("go", "build", "-trimpath", "-o", binPath, "./cmd/nbac")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/nbac: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// cueMaxN is the largest estate CUE is asked to render
// (NBAC_BENCH_CUE_MAX, default 5000): CUE's evaluator needs minutes and
// gigabytes at the top sizes, which a quick run may want to skip.
func cueMaxN() int {
	if n, err := strconv.Atoi(os.Getenv("NBAC_BENCH_CUE_MAX")); err == nil {
		return n
	}
	return 5000
}

// BenchmarkBuildProcess runs `nbac build DIR -o OUT` as a separate process
// into a fresh output directory, the way CI does, and reports its peak
// resident set size (the kernel's ru_maxrss for that child).
func BenchmarkBuildProcess(b *testing.B) {
	bin := nbacBinary(b)
	for _, n := range Sizes() {
		dir := estateDir(b, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "out")
			var peakKB int64
			for b.Loop() {
				b.StopTimer()
				os.RemoveAll(out)
				b.StartTimer()
				cmd := exec.Command(bin, "build", dir, "-o", out)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Run(); err != nil {
					b.Fatalf("nbac build: %v\n%s", err, stderr.String())
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peakKB = max(peakKB, ru.Maxrss) // Linux reports kilobytes
				}
			}
			b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
		})
	}
}
