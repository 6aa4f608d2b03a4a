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
	file            string // base name
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
			out = append(out, marker{file: filepath.Base(path), line: line, summary: m[1], detail: m[2]})
		}
	}
	return out
}

// TestErrorFiles compiles each testdata/errors file on its own, and each
// directory there as one configuration of several files, and checks that
// every marker is matched by an error at its file and line and that no
// error appears without a marker: all of a configuration's mistakes are
// reported in one run. A configuration with errors must yield no model.
func TestErrorFiles(t *testing.T) {
	files, err := filepath.Glob("testdata/errors/*.hcl")
	if err != nil || len(files) < 30 {
		t.Fatalf("want at least 30 error files, found %d (%v)", len(files), err)
	}
	entries, _ := os.ReadDir("testdata/errors")
	for _, e := range entries {
		if e.IsDir() {
			files = append(files, filepath.Join("testdata/errors", e.Name()))
		}
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".hcl"), func(t *testing.T) {
			markers := readAllMarkers(t, path)
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
					if d.Subject != nil && d.Subject.Start.Line == m.line && filepath.Base(d.Subject.Filename) == m.file &&
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
					t.Errorf("%s:%d: no error %q (detail %q); got:\n%s", m.file, m.line, m.summary, m.detail, renderDiags(res))
				}
			}
		})
	}
}

// readAllMarkers reads the markers of a file, or of every .hcl file in a
// directory.
func readAllMarkers(t *testing.T, path string) []marker {
	t.Helper()
	if info, err := os.Stat(path); err != nil || !info.IsDir() {
		return readMarkers(t, path)
	}
	names, _ := filepath.Glob(filepath.Join(path, "*.hcl"))
	var out []marker
	for _, n := range names {
		out = append(out, readMarkers(t, n)...)
	}
	return out
}

func describeDiag(d *hcl.Diagnostic) string {
	where := "(no range)"
	if d.Subject != nil {
		where = d.Subject.String()
	}
	return fmt.Sprintf("%s: %s; %s", where, d.Summary, d.Detail)
}
