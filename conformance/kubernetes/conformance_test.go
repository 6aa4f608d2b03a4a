package kubernetes

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// nbacBin is the nbac CLI built from the parent module by TestMain.
var nbacBin string

// TestMain builds nbac from the parent module, unless NBAC_CONFORMANCE_BIN
// names a binary to test instead (an older build, to see what a fix
// changed).
func TestMain(m *testing.M) {
	if bin := os.Getenv("NBAC_CONFORMANCE_BIN"); bin != "" {
		nbacBin = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "nbac-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	nbacBin = filepath.Join(dir, "nbac")
	build := exec.Command("go", "build", "-o", nbacBin, "./cmd/nbac")
	build.Dir = filepath.Join("..", "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building nbac from the parent module:", err)
		os.RemoveAll(dir)
		os.Exit(2)
	}
	// Fuzz workers are child processes of this one: they inherit the
	// variable and reuse the binary instead of building their own.
	os.Setenv("NBAC_CONFORMANCE_BIN", nbacBin)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mixedCases is how many random combinations the bounded run adds to the
// single-value cases; NBAC_CONFORMANCE_CASES raises it for a long run.
func mixedCases(t *testing.T) int {
	if s := os.Getenv("NBAC_CONFORMANCE_CASES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("NBAC_CONFORMANCE_CASES=%q: %v", s, err)
		}
		return n
	}
	if testing.Short() {
		return 50
	}
	return 300
}

// TestUpstreamAcceptsWhatNbacAccepts is the invariant over every boundary
// value of every slot alone, and over random combinations of them.
func TestUpstreamAcceptsWhatNbacAccepts(t *testing.T) {
	cases := append(append(append(Singles(), Interactions()...), gatewayInteractions()...), Mixed(20261207, mixedCases(t))...)
	var (
		mu              sync.Mutex
		accepted, total int
	)
	work := make(chan Case)
	var wg sync.WaitGroup
	// Twice the cores: each case is mostly a child process starting and
	// writing files.
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				ok, problem := check(c)
				mu.Lock()
				total++
				if ok {
					accepted++
				}
				if problem != "" {
					t.Errorf("%s\n  case: %s", problem, c)
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()
	t.Logf("%d cases: nbac accepted %d (upstream accepted every object of those the test did not report), rejected %d with located diagnostics", total, accepted, total-accepted)
	if accepted == 0 || accepted == total {
		t.Errorf("the generated cases must include both accepted and rejected configurations; accepted %d of %d", accepted, total)
	}
}

// FuzzUpstreamAcceptsWhatNbacAccepts is the long run (make fuzz): the
// fuzzer picks slots and boundary values and writes a free string into one
// string-valued slot.
func FuzzUpstreamAcceptsWhatNbacAccepts(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, "1.2.3.4")
	f.Add([]byte{5, 7, 9}, "*.example.com")
	f.Add([]byte{11, 13, 17, 19, 23}, "/a/../b")
	f.Add([]byte{29}, "2147483648s")
	f.Add([]byte{31, 37}, "0.5")
	f.Fuzz(func(t *testing.T, choices []byte, free string) {
		c := FromFuzz(choices, free)
		if _, problem := check(c); problem != "" {
			t.Fatalf("%s\n  case: %s", problem, c)
		}
	})
}

// buildResult is the part of `nbac build -json` the test reads.
type buildResult struct {
	Success     bool `json:"success"`
	Diagnostics []struct {
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
		Range    *struct {
			Filename string `json:"filename"`
			Start    struct {
				Line int `json:"line"`
			} `json:"start"`
		} `json:"range"`
	} `json:"diagnostics"`
}

// check builds one case and returns whether nbac accepted it and, when the
// invariant does not hold, what went wrong: nbac accepted it but the API
// server would reject an object, or nbac rejected it without a diagnostic
// located at a slot the case set (or that slot's block).
func check(c Case) (accepted bool, problem string) {
	dir, err := os.MkdirTemp("", "nbac-case-")
	if err != nil {
		return false, err.Error()
	}
	defer os.RemoveAll(dir)
	src, lines := c.Render()
	file := filepath.Join(dir, "main.hcl")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return false, err.Error()
	}
	outDir := filepath.Join(dir, "out")
	cmd := exec.Command(nbacBin, "build", dir, "-o", outDir, "-json")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, runErr := cmd.Output()
	var res buildResult
	if err := json.Unmarshal(stdout, &res); err != nil {
		return false, fmt.Sprintf("nbac build did not print its JSON document (exit %v): %v\nstderr: %s", runErr, err, stderr.String())
	}
	if !res.Success {
		return false, located(res, file, c, lines)
	}
	manifests, _ := filepath.Glob(filepath.Join(outDir, "kubernetes", "*.yaml"))
	if len(manifests) == 0 {
		return true, "nbac build succeeded but wrote no Kubernetes manifest"
	}
	var rejected []string
	for _, m := range manifests {
		raw, err := os.ReadFile(m)
		if err != nil {
			return true, err.Error()
		}
		rejected = append(rejected, upstreamErrors(raw)...)
	}
	if len(rejected) > 0 {
		return true, "nbac accepted a configuration whose objects the v1.33 API server rejects:\n    " + strings.Join(rejected, "\n    ")
	}
	return true, ""
}

// located checks that nbac's errors carry a range in the configuration,
// and that one of them is on a line the case set (an attribute, a block
// label) or on the header of a block holding such a slot.
func located(res buildResult, file string, c Case, lines map[string]int) string {
	want := map[int]bool{}
	for slot := range c.Set {
		want[lines[slot]] = true
		want[lines[blockOf(slot)+".@label"]] = true
	}
	headers := headerLines(c, lines)
	for _, l := range headers {
		want[l] = true
	}
	var errs []string
	hit := false
	for _, d := range res.Diagnostics {
		if d.Severity != "error" {
			continue
		}
		if d.Range == nil || d.Range.Filename != file {
			return fmt.Sprintf("nbac rejected the case with an unlocated error: %s: %s", d.Summary, d.Detail)
		}
		errs = append(errs, fmt.Sprintf("line %d: %s", d.Range.Start.Line, d.Summary))
		if want[d.Range.Start.Line] {
			hit = true
		}
	}
	if len(errs) == 0 {
		return "nbac build failed without an error diagnostic"
	}
	if !hit {
		return fmt.Sprintf("nbac's errors are not at the slots the case set (lines %v): %s", want, strings.Join(errs, "; "))
	}
	return ""
}

// headerLines finds the header line of each block holding a slot the case
// set, for blocks without a label (resources, autoscale, ingress, alb).
func headerLines(c Case, lines map[string]int) []int {
	src, _ := c.Render()
	all := strings.Split(src, "\n")
	var out []int
	for slot := range c.Set {
		blk := blockOf(slot)
		l := lines[slot]
		for i := l - 1; i >= 1; i-- {
			if strings.HasPrefix(strings.TrimSpace(all[i-1]), blk+" ") && strings.HasSuffix(all[i-1], "{") {
				out = append(out, i)
				break
			}
		}
	}
	return out
}
