package lbhcltest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nbac/nbac/importer"
)

// Import is an importer's entry point.
type Import func(paths []string, opts importer.Options) *importer.Result

// Report renders r's diagnostics one per line pair, for golden files and
// counting.
func Report(r *importer.Result) string {
	var b strings.Builder
	for _, d := range r.Diags {
		sev := "warning"
		if d.Severity == hcl.DiagError {
			sev = "error"
		}
		at := ""
		if d.Subject != nil {
			at = fmt.Sprintf("%s:%d: ", filepath.ToSlash(d.Subject.Filename), d.Subject.Start.Line)
		}
		fmt.Fprintf(&b, "%s%s: %s\n    %s\n", at, sev, d.Summary, d.Detail)
	}
	return b.String()
}

// Golden imports every testdata/*.ext file on its own and compares the
// files and the report with testdata/NAME.golden (a txtar archive),
// rewriting it when update is set.
func Golden(t *testing.T, ext string, imp Import, update bool) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*."+ext))
	if len(inputs) == 0 {
		t.Fatalf("no testdata/*.%s corpus", ext)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			r := imp([]string{in}, importer.Options{})
			got := Archive(r)
			golden := strings.TrimSuffix(in, "."+ext) + ".golden"
			if update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s changed (go test -update to accept):\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
			}
		})
	}
}

// Archive is r as a txtar archive: one member per written file, then the
// report.
func Archive(r *importer.Result) []byte {
	a := &txtar.Archive{}
	if r.Diags.HasErrors() {
		a.Comment = []byte("Nothing is written: the input has errors.\n")
	}
	names := r.FileNames()
	sort.Strings(names)
	for _, n := range names {
		if r.Diags.HasErrors() {
			break
		}
		a.Files = append(a.Files, txtar.File{Name: n, Data: importer.Bytes(r.Files[n])})
	}
	a.Files = append(a.Files, txtar.File{Name: "report", Data: []byte(Report(r))})
	return txtar.Format(a)
}

// Counts returns how many directives r imported blocks for, and how many
// it reported as not imported.
func Counts(r *importer.Result) (blocks, reported int) {
	for _, d := range r.Diags {
		if d.Severity == hcl.DiagWarning {
			reported++
		}
	}
	if f := r.Files["load_balancers.hcl"]; f != nil {
		blocks = len(f.Body().Blocks())
	}
	return blocks, reported
}
