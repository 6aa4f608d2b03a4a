package lbhcltest

import (
	"testing"

	"github.com/nbac/nbac/importer"
)

// ImportText imports text as a file called name; any error fails the test.
func ImportText(t testing.TB, imp Import, name, text string) *importer.Result {
	t.Helper()
	r := imp([]string{WriteTemp(t, name, text)}, importer.Options{Project: "behaviour"})
	if r.Diags.HasErrors() {
		t.Fatalf("import failed:\n%s", Report(r))
	}
	t.Logf("import report:\n%s", Report(r))
	return r
}
