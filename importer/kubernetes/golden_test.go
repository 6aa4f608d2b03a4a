package kubernetes

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/nbac/nbac/importer"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// estates lists the corpus: every directory under testdata/estates.
func estates(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob("testdata/estates/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	return dirs
}

// reportText is the report as the golden files hold it: one line per
// diagnostic, file:line, severity, summary, then the detail.
func reportText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		loc := "-"
		if d.Subject != nil {
			loc = fmt.Sprintf("%s:%d", filepath.ToSlash(d.Subject.Filename), d.Subject.Start.Line)
		}
		sev := "warning"
		if d.Severity == hcl.DiagError {
			sev = "error"
		}
		fmt.Fprintf(&b, "%s: %s: %s\n    %s\n", loc, sev, d.Summary, d.Detail)
	}
	return b.String()
}

func statsText(s Stats) string {
	return fmt.Sprintf("objects: %d (imported %d, reported %d)\nfields: imported %d, reported %d\n",
		s.Objects, s.ObjectsImported, s.ObjectsReported, s.Fields.Imported, s.Fields.Reported)
}

// TestGolden imports each estate of the corpus and compares the HCL, the
// report and the figures with testdata/golden/<estate>.txtar.
func TestGolden(t *testing.T) {
	for _, dir := range estates(t) {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			e := Import([]string{dir}, importer.Options{})
			ar := &txtar.Archive{Comment: []byte("nbac import kubernetes " + filepath.ToSlash(dir) + "\n")}
			for _, f := range e.Result.FileNames() {
				ar.Files = append(ar.Files, txtar.File{Name: f, Data: importer.Bytes(e.Result.Files[f])})
			}
			ar.Files = append(ar.Files,
				txtar.File{Name: "report", Data: []byte(reportText(e.Result.Diags))},
				txtar.File{Name: "stats", Data: []byte(statsText(e.Stats()))})
			got := txtar.Format(ar)
			path := filepath.Join("testdata", "golden", name+".txtar")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(want) != string(got) {
				t.Errorf("import of %s differs from %s (go test -update, then review):\n%s", dir, path, got)
			}
		})
	}
}
