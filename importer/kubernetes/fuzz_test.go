package kubernetes

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/importer"
)

// FuzzImport feeds arbitrary bytes through the reader and the mapping:
// no panic, every error located in the input file, and a Result without
// errors always has its HCL files.
func FuzzImport(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/estates/*/*.y*ml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	// Each estate whole too, so that routes meet their Deployments.
	dirs, _ := filepath.Glob("testdata/estates/*")
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.y*ml"))
		var all []byte
		for _, s := range files {
			if b, err := os.ReadFile(s); err == nil {
				all = append(append(all, b...), "\n---\n"...)
			}
		}
		f.Add(all)
	}
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: List, items: []}]\n"))
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1e400}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: a, image: b}]}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "in.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e := Import([]string{file}, importer.Options{Project: "fuzz"})
		for _, d := range e.Result.Diags {
			if d.Severity != hcl.DiagError {
				if d.Subject == nil || d.Subject.Filename != file || d.Subject.Start.Line < 1 {
					t.Fatalf("warning not located in the input: %+v", d)
				}
				continue
			}
			if d.Summary == "Nothing to import" {
				continue
			}
			if d.Subject == nil || d.Subject.Filename != file || d.Subject.Start.Line < 1 {
				t.Fatalf("error not located in the input: %s: %s (subject %v)", d.Summary, d.Detail, d.Subject)
			}
		}
		if !e.Result.Diags.HasErrors() && len(e.Result.Files) == 0 {
			t.Fatal("an import without errors wrote no file")
		}
	})
}
