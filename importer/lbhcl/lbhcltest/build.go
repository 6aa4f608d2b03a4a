package lbhcltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nbac/nbac/emit"
	"github.com/nbac/nbac/emit/build"
	"github.com/nbac/nbac/emit/lbcheck"
	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/lang"
)

// Build writes r's files into a fresh directory and compiles it as
// `nbac build` does (lang, validation, every emitter); any error fails
// the test. It returns the artifacts.
func Build(t testing.TB, r *importer.Result) []emit.Artifact {
	t.Helper()
	dir := t.TempDir()
	if _, err := importer.Write(dir, r, false); err != nil {
		t.Fatal(err)
	}
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatalf("the imported HCL does not compile: %v", res.Diags)
	}
	arts, diags := build.Artifacts(res.Model)
	if diags.HasErrors() {
		t.Fatalf("nbac's emitters refuse the imported HCL: %v", diags)
	}
	return arts
}

// Validate runs the real consumer on every HAProxy and Nginx file of
// arts (haproxy -dW -c, nginx -t with no [warn]); it returns how many it
// checked.
func Validate(t testing.TB, arts []emit.Artifact) int {
	t.Helper()
	lbcheck.Require(t)
	n := 0
	for _, a := range arts {
		var err error
		switch {
		case strings.HasPrefix(a.Path, "haproxy/"):
			err = lbcheck.HAProxy(a.Data)
		case strings.HasPrefix(a.Path, "nginx/"):
			err = lbcheck.Nginx(a.Data)
		default:
			continue
		}
		n++
		if err != nil {
			t.Errorf("%s: %v", a.Path, err)
		}
	}
	return n
}

// Artifact returns the artifact at path, failing the test when there is
// none.
func Artifact(t testing.TB, arts []emit.Artifact, path string) []byte {
	t.Helper()
	for _, a := range arts {
		if a.Path == path {
			return a.Data
		}
	}
	t.Fatalf("no %s among the built artifacts", path)
	return nil
}

// RoundTrip imports every corpus file without errors, builds the HCL and
// validates what it emits with the real consumers.
func RoundTrip(t *testing.T, ext string, imp Import) {
	inputs, _ := filepath.Glob(filepath.Join("testdata", "*."+ext))
	checked := 0
	for _, in := range inputs {
		r := imp([]string{in}, importer.Options{})
		if r.Diags.HasErrors() || len(r.Files) == 0 {
			continue
		}
		t.Run(filepath.Base(in), func(t *testing.T) {
			checked += Validate(t, Build(t, r))
		})
	}
	if checked == 0 && !t.Skipped() {
		t.Fatal("no imported corpus file produced a configuration to check")
	}
	t.Logf("%d emitted configurations accepted by the real validators", checked)
}

// WriteTemp writes text to a file called name in a fresh directory and
// returns its path.
func WriteTemp(t testing.TB, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
