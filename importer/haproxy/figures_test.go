package haproxy

import (
	"testing"

	"github.com/nbac/nbac/importer/haproxycfg"
	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// TestCorpusFigures: every warning points at a directive line (a section
// header or a keyword line); logs the corpus figures docs/import.md gives.
func TestCorpusFigures(t *testing.T) {
	total, _, blocks := lbhcltest.Figures(t, "cfg", Import, func(src []byte) map[int]bool {
		c, err := haproxycfg.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		lines := map[int]bool{}
		for _, s := range c.Sections {
			lines[s.Line] = true
			for _, l := range s.Lines {
				lines[l.Num] = true
			}
		}
		return lines
	})
	if total == 0 || blocks == 0 {
		t.Fatalf("the corpus imported nothing (%d directives, %d blocks)", total, blocks)
	}
}
