package lang

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSourceSizeCountsConfigurationFilesOnly(t *testing.T) {
	dir := t.TempDir()
	for name, size := range map[string]int{"a.hcl": 100, "b.hcl.json": 20, "prod.nbvars": 1000, "notes.md": 500, ".hidden.hcl": 7} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.hcl"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := SourceSize(dir); got != 120 {
		t.Errorf("SourceSize(dir) = %d, want 120 (a.hcl + b.hcl.json)", got)
	}
	if got := SourceSize(filepath.Join(dir, "a.hcl")); got != 100 {
		t.Errorf("SourceSize(file) = %d, want 100", got)
	}
	if got := SourceSize(filepath.Join(dir, "missing")); got != 0 {
		t.Errorf("SourceSize(missing) = %d, want 0", got)
	}
}
