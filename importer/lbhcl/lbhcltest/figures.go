package lbhcltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/importer"
)

// Figures imports each corpus file that has no errors and checks that every
// warning points at a line holding a directive (not a blank or a comment:
// `directive(line)` says which lines do). It returns the corpus totals:
// directives, directives reported (a line with at least one warning) and
// load_balancer blocks written. A file whose every block was refused counts
// all its directives as reported.
func Figures(t *testing.T, ext string, imp Import, directives func(src []byte) map[int]bool) (total, reported, blocks int) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*."+ext))
	for _, in := range inputs {
		r := imp([]string{in}, importer.Options{})
		if r.Diags.HasErrors() {
			continue
		}
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		dirs := directives(src)
		lines := strings.Split(string(src), "\n")
		seen := map[int]bool{}
		for _, d := range r.Diags {
			if d.Severity != hcl.DiagWarning || d.Subject == nil {
				continue
			}
			n := d.Subject.Start.Line
			if !dirs[n] {
				t.Errorf("%s:%d: warning %q points at %q, which holds no directive", in, n, d.Summary, lines[n-1])
			}
			seen[n] = true
		}
		b, _ := Counts(r)
		if b == 0 {
			// Every block was refused (the hostile files): nothing of the
			// file is imported.
			for n := range dirs {
				seen[n] = true
			}
		}
		t.Logf("%s: %d directives, %d reported, %d imported, %d load_balancer blocks", in, len(dirs), len(seen), len(dirs)-len(seen), b)
		total += len(dirs)
		reported += len(seen)
		blocks += b
	}
	t.Logf("corpus (*.%s without errors): %d directives, %d reported, %d imported without a warning, %d load_balancer blocks", ext, total, reported, total-reported, blocks)
	return total, reported, blocks
}
