package kubernetes

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes/internal/corpus"
)

// FuzzImport feeds arbitrary bytes through the reader and the mapping:
// no panic, every error located in the input file, and a Result without
// errors always has its HCL files.
func FuzzImport(f *testing.F) {
	for _, seed := range corpus.Seeds("testdata/estates") {
		f.Add(seed)
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
