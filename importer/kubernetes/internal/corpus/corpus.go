// Package corpus owns the fuzz seeds both importer/kubernetes fuzz
// targets take from the test corpus (testdata/estates).
package corpus

import (
	"os"
	"path/filepath"
)

// Seeds are every YAML file of the estates under root, then each estate
// whole (its files joined), so that routes and policies meet the
// Deployments they refer to.
func Seeds(root string) [][]byte {
	var seeds [][]byte
	dirs, _ := filepath.Glob(filepath.Join(root, "*"))
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.y*ml"))
		var all []byte
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				seeds = append(seeds, b)
				all = append(append(all, b...), "\n---\n"...)
			}
		}
		seeds = append(seeds, all)
	}
	return seeds
}
