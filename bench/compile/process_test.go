package compile

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// tail keeps the end of a long output for an error message.
func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

var (
	binOnce          sync.Once
	binPath, rssPath string
	binErr           error
)

// binaries builds cmd/nbac (as `make build` does) and the peakrss helper
// once per process.
func binaries(tb testing.TB) (nbac, peakrss string) {
	binOnce.Do(func() {
		binPath = filepath.Join(benchRoot, "nbac")
		rssPath = filepath.Join(benchRoot, "peakrss")
		for _, c := range []struct{ dir, out, pkg string }{
			{filepath.Join("..", ".."), binPath, "./cmd/nbac"},
			{".", rssPath, "./cmd/peakrss"},
		} {
			cmd := exec.Command("go", "build", "-trimpath", "-o", c.out, c.pkg)
			cmd.Dir = c.dir
			if out, err := cmd.CombinedOutput(); err != nil {
				binErr = fmt.Errorf("go build %s: %v\n%s", c.pkg, err, out)
				return
			}
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath, rssPath
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

// processMaxN is the largest estate built as a whole process
// (NBAC_BENCH_PROCESS_MAX, default 5000), for a quick run that skips the
// slowest case.
func processMaxN() int {
	if n, err := strconv.Atoi(os.Getenv("NBAC_BENCH_PROCESS_MAX")); err == nil {
		return n
	}
	return 5000
}

// BenchmarkBuildProcess runs `nbac build DIR -o OUT` as a separate process
// and reports its peak resident set size (ru_maxrss, measured by
// cmd/peakrss; the time includes that helper's start, a millisecond or
// two). "first" writes into a directory that does not exist yet, the way
// CI does; "unchanged" builds again into a directory that already holds the
// same output, as an editor's save or a second CI step does.
//
// Each "first" iteration gets a directory of its own, and none is removed
// before the run ends (see outputDir).
func BenchmarkBuildProcess(b *testing.B) {
	bin, peakrss := binaries(b)
	for _, n := range Sizes() {
		if n > processMaxN() {
			continue
		}
		dir := estateDir(b, n)
		run := func(b *testing.B, out string) int64 {
			cmd := exec.Command(peakrss, bin, "build", dir, "-o", out)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				b.Fatalf("nbac build: %v\n%s", err, tail(stderr.String()))
			}
			kb, err := strconv.ParseInt(strings.TrimSpace(stdout.String()), 10, 64)
			if err != nil {
				b.Fatalf("peakrss printed %q", stdout.String())
			}
			return kb
		}
		b.Run(fmt.Sprintf("N=%d/first", n), func(b *testing.B) {
			base := outputDir(b)
			var peakKB int64
			i := 0
			for b.Loop() {
				i++
				peakKB = max(peakKB, run(b, filepath.Join(base, fmt.Sprintf("out%d", i))))
			}
			b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
		})
		b.Run(fmt.Sprintf("N=%d/unchanged", n), func(b *testing.B) {
			out := filepath.Join(outputDir(b), "out")
			run(b, out)
			var peakKB int64
			for b.Loop() {
				peakKB = max(peakKB, run(b, out))
			}
			b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
		})
	}
}
