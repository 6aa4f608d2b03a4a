package haproxy

import (
	"testing"

	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// FuzzImport: any haproxy.cfg, from the corpus mutated, imports without a
// panic and every diagnostic is located inside it.
func FuzzImport(f *testing.F) {
	lbhcltest.Seeds(f, "cfg")
	f.Fuzz(func(t *testing.T, src []byte) {
		lbhcltest.FuzzImport(t, Import, "haproxy.cfg", src)
	})
}
