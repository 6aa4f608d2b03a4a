package graph

import (
	"bytes"
	"context"
	"testing"
	"unicode/utf8"

	"github.com/nbac/nbac/emit/graph/graphtest"
	"github.com/nbac/nbac/schema"
)

// FuzzNameThroughGraphviz: any string as a block's name and image is drawn
// by the real dot as exactly that text (after the documented replacement
// of control characters and invalid UTF-8), in one node, and dot never
// refuses the DOT. `go test` runs the seeds; -fuzz explores.
func FuzzNameThroughGraphviz(f *testing.F) {
	for _, h := range graphtest.Hostile {
		f.Add(h)
	}
	f.Add("")
	f.Add(`\`)
	f.Add(`"`)
	f.Add("\ufeffbom")
	f.Fuzz(func(t *testing.T, name string) {
		requireDot(t)
		if utf8.RuneCountInString(name) > maxValue-len("image: ") {
			return // labels cut long values; the hostile test covers that
		}
		m := &schema.Model{Services: []schema.Service{{Name: name, Image: name, Port: 80, Replicas: 1}}}
		g := Build(m)
		var b bytes.Buffer
		if err := WriteDOT(&b, g, ByKind); err != nil {
			t.Fatal(err)
		}
		svg, err := Render(context.Background(), b.Bytes())
		if err != nil {
			t.Fatalf("dot refused the DOT for %q: %v\n%s", name, err, b.String())
		}
		checkSVG(t, g, svg)
	})
}
