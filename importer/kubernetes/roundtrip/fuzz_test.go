package roundtrip

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nbac/nbac/importer"
	"github.com/nbac/nbac/importer/kubernetes"
	"github.com/nbac/nbac/importer/kubernetes/internal/corpus"
)

// FuzzImportBuilds: whatever imports without errors builds, and its
// comparison runs without panicking.
func FuzzImportBuilds(f *testing.F) {
	for _, seed := range corpus.Seeds("../testdata/estates") {
		f.Add(seed)
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
