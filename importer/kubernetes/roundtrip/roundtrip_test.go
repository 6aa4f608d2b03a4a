package roundtrip

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes"
)

// TestCorpusRoundTrip imports every estate of the corpus, builds the HCL
// as nbac build does, and asserts that every difference between the
// original objects and nbac's is documented (expected) or was reported
// at import: none is unexpected.
func TestCorpusRoundTrip(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/estates/*")
	if len(dirs) == 0 {
		t.Fatal("no corpus")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			e := kubernetes.Import([]string{dir}, importer.Options{})
			if e.Result.Diags.HasErrors() {
				t.Fatalf("import: %v", e.Result.Diags)
			}
			rep, _, diags := Check(e)
			if diags.HasErrors() {
				t.Fatalf("the imported HCL does not build: %v", diags)
			}
			var b strings.Builder
			rep.WriteText(&b)
			t.Log(b.String())
			if rep.Counts.Compared == 0 {
				t.Fatal("nothing was compared")
			}
			if rep.Counts.Unexpected > 0 {
				t.Errorf("%d unexpected differences:\n%s", rep.Counts.Unexpected, b.String())
			}
		})
	}
}
