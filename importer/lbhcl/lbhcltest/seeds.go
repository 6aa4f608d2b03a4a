package lbhcltest

import (
	"os"
	"path/filepath"
	"testing"
)

// Seeds adds every testdata/*.ext corpus file to a fuzz target's corpus.
func Seeds(f *testing.F, ext string) {
	corpus, _ := filepath.Glob(filepath.Join("testdata", "*."+ext))
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}
