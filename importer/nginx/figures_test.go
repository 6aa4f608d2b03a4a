package nginx

import (
	"testing"

	"github.com/tufanbarisyildirim/gonginx/config"

	"github.com/nbac/nbac/importer/lbhcl/lbhcltest"
)

// TestCorpusFigures: every warning points at a directive's first line
// (for a block, its opening line, found by source.line); logs the corpus
// figures docs/import.md gives.
func TestCorpusFigures(t *testing.T) {
	total, _, blocks := lbhcltest.Figures(t, "conf", Import, func(src []byte) map[int]bool {
		s, _, err := parse("x.conf", src)
		if err != nil {
			t.Fatal(err)
		}
		lines := map[int]bool{}
		var walk func(ds []config.IDirective)
		walk = func(ds []config.IDirective) {
			for _, d := range ds {
				lines[s.line(d)] = true
				walk(children(d))
			}
		}
		walk(s.root.GetDirectives())
		return lines
	})
	if total == 0 || blocks == 0 {
		t.Fatalf("the corpus imported nothing (%d directives, %d blocks)", total, blocks)
	}
}
