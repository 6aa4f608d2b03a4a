package plan

import (
	"os"
	"strings"
	"testing"
)

// FuzzDiffManifests: comparing any two byte strings as manifests never
// panics, and a manifest compared with itself has no changes.
func FuzzDiffManifests(f *testing.F) {
	for _, name := range []string{"before.yaml", "after.yaml", "reordered.yaml"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, b)
	}
	f.Add([]byte("kind: A\nmetadata: {name: a}\nspec: {l: [{name: x}, {name: x}]}\n"), []byte("kind: A\nmetadata: {name: a}\nspec: {l: []}\n"))
	f.Add([]byte("kind: A\nmetadata: {name: a}\nspec: {l: [1, {a: 1}]}\n"), []byte("kind: A\nmetadata: {name: a}\nspec: {l: [{resource: {name: 3}}]}\n"))
	f.Fuzz(func(t *testing.T, before, after []byte) {
		objs, err := diffManifests(before, after)
		if err != nil {
			return
		}
		for _, o := range objs {
			for _, l := range objectLines(o) {
				_ = strings.TrimSpace(l)
			}
		}
		if same, err := diffManifests(before, before); err == nil && len(same) != 0 {
			t.Fatalf("a manifest differs from itself: %v", render(same))
		}
	})
}
