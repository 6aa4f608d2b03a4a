package haproxy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// FuzzImport: any haproxy.cfg, from the corpus mutated, imports without a
// panic and every diagnostic is located inside it.
func FuzzImport(f *testing.F) {
	corpus, _ := filepath.Glob(filepath.Join("testdata", "*.cfg"))
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lbhcltest.FuzzImport(t, Import, "haproxy.cfg", src)
	})
}
