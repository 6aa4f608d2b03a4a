package lang

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompile runs the whole front-end over arbitrary source text (native
// syntax, or JSON when asJSON) and requires that it never panics and that a
// result carries either a model or an error, never neither.
func FuzzCompile(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*/*.hcl")
	errs, _ := filepath.Glob("testdata/errors/*.hcl")
	for _, p := range append(seeds, errs...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), false)
	}
	f.Add(`{"project": {"p": {}}, "service": {"a": {"image": "x", "uses": ["${cache.c}"]}}}`, true)
	f.Add(`{"project": {"p": {}}, "locals": {"a": "${local.a}"}}`, true)
	f.Add(dynamicConfig, false)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src string, asJSON bool) {
		name := filepath.Join(dir, "main.hcl")
		if asJSON {
			name += ".json"
		}
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(name)
		res := Load(name, Options{Vars: []string{"environment=dev"}, Environ: []string{"NBAC_VAR_replicas=2"}})
		if res.Model == nil && !res.Diags.HasErrors() {
			t.Fatalf("no model and no error for:\n%s", src)
		}
		if res.Model != nil && res.Diags.HasErrors() {
			t.Fatalf("a model despite errors for:\n%s", src)
		}
	})
}
