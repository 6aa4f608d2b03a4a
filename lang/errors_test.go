package lang

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// marker is one `# ERROR: <summary substring> [| <detail substring>]`
// comment: an error diagnostic must start on its line with that summary
// (and detail, when given).
type marker struct {
	line            int
	summary, detail string
}

var markerRE = regexp.MustCompile(`#\s*ERROR:\s*([^|]+?)\s*(?:\|\s*(.+?))?\s*$`)

func readMarkers(t *testing.T, path string) []marker {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []marker
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if m := markerRE.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, marker{line: line, summary: m[1], detail: m[2]})
		}
	}
	return out
}

// TestErrorFiles compiles each testdata/errors file on its own and checks
// that every marker is matched by an error at its line and that no error
// appears without a marker. A file with errors must yield no model.
func TestErrorFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.hcl")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 error files, found %d (%v)", len(files), err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			markers := readMarkers(t, path)
			if len(markers) == 0 {
				t.Fatal("file has no # ERROR: marker")
			}
			res := Load(path, Options{Environ: []string{"HOME=/home/test"}})
			if res.Model != nil {
				t.Error("a model was produced despite errors")
			}
			matched := make([]bool, len(markers))
			for _, d := range res.Diags {
				if d.Severity != hcl.DiagError {
					continue
				}
				ok := false
				for i, m := range markers {
					if d.Subject != nil && d.Subject.Start.Line == m.line &&
						strings.Contains(d.Summary, m.summary) && strings.Contains(d.Detail, m.detail) {
						matched[i], ok = true, true
					}
				}
				if !ok {
					t.Errorf("unexpected error: %s", describeDiag(d))
				}
			}
			for i, m := range markers {
				if !matched[i] {
					t.Errorf("line %d: no error %q (detail %q); got:\n%s", m.line, m.summary, m.detail, renderDiags(res))
				}
			}
		})
	}
}

func describeDiag(d *hcl.Diagnostic) string {
	where := "(no range)"
	if d.Subject != nil {
		where = d.Subject.String()
	}
	return fmt.Sprintf("%s: %s; %s", where, d.Summary, d.Detail)
}
