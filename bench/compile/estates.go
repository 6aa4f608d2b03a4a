package compile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/nbac/nbac/bench/estate"
)

// Seed is the estate seed every benchmark uses, so runs compare.
const Seed = 1

// Sizes returns the estate sizes to benchmark: NBAC_BENCH_N (comma
// separated) or 10, 100, 1000 and 5000.
func Sizes() []int {
	spec := os.Getenv("NBAC_BENCH_N")
	if spec == "" {
		return []int{10, 100, 1000, 5000}
	}
	var out []int
	for _, f := range strings.Split(spec, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

var (
	estMu   sync.Mutex
	estates = map[int]*estate.Estate{}
	dirs    = map[int]string{}
)

// Estate returns the estate of n services (generated once per process).
func Estate(n int) *estate.Estate {
	estMu.Lock()
	defer estMu.Unlock()
	if e, ok := estates[n]; ok {
		return e
	}
	e := estate.Generate(n, Seed)
	estates[n] = e
	return e
}

// Dir returns a directory holding the estate of n services as HCL,
// written once per process under root.
func Dir(root string, n int) (string, error) {
	e := Estate(n)
	estMu.Lock()
	defer estMu.Unlock()
	if d, ok := dirs[n]; ok {
		return d, nil
	}
	d := filepath.Join(root, fmt.Sprintf("estate-%d", n))
	if err := e.Write(d); err != nil {
		return "", err
	}
	dirs[n] = d
	return d, nil
}
