package roundtrip

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes"
)

// FuzzImportBuilds: whatever imports without errors builds, and its
// comparison runs without panicking.
func FuzzImportBuilds(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/estates/*/*.y*ml")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	// Each estate whole too, so that routes meet their Deployments.
	dirs, _ := filepath.Glob("../testdata/estates/*")
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
	// Values nbac refuses, which the import must report rather than write.
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: \" nginx:1\", resources: {requests: {cpu: \"0\"}, limits: {memory: \"0\"}}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(t.TempDir(), "in.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		e := kubernetes.Import([]string{file}, importer.Options{Project: "fuzz"})
		if e.Result.Diags.HasErrors() {
			return
		}
		if _, _, diags := Check(e); diags.HasErrors() {
			t.Fatalf("the imported HCL does not build: %v\n%s", diags, importer.Bytes(e.Result.Files["services.hcl"]))
		}
	})
}
