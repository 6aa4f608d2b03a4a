package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/nbac/nbac/bench/estate"
	"github.com/nbac/nbac/emit/graph"
	"github.com/nbac/nbac/emit/graph/graphtest"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

var sizes = []int{100, 1000}

func model(b *testing.B, n int) *schema.Model {
	b.Helper()
	dir := b.TempDir()
	if err := estate.Generate(n, 1).Write(dir); err != nil {
		b.Fatal(err)
	}
	res := lang.Load(dir, lang.Options{})
	if res.Diags.HasErrors() {
		b.Fatalf("the estate does not compile:\n%s", res.Diags.Error())
	}
	return res.Model
}

// BenchmarkGraphDOT is the part of `nbac graph` that is nbac's: the graph
// of the model and its DOT text.
func BenchmarkGraphDOT(b *testing.B) {
	for _, n := range sizes {
		m := model(b, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := graph.WriteDOT(io.Discard, graph.Build(m), graph.ByKind); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGraphHTML is the whole page: DOT, Graphviz's layout (the real
// dot process, which dominates) and the HTML around its SVG.
func BenchmarkGraphHTML(b *testing.B) {
	graphtest.RequireTool(b, "graphviz", graph.DotProgram)
	for _, n := range sizes {
		m := model(b, n)
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var nodes, size int
			for b.Loop() {
				g := graph.Build(m)
				var dot, page bytes.Buffer
				if err := graph.WriteDOT(&dot, g, graph.ByKind); err != nil {
					b.Fatal(err)
				}
				svg, err := graph.Render(context.Background(), dot.Bytes())
				if err != nil {
					b.Fatal(err)
				}
				if err := graph.WriteHTML(&page, g, svg); err != nil {
					b.Fatal(err)
				}
				nodes, size = len(g.Nodes), page.Len()
			}
			b.ReportMetric(float64(nodes), "nodes")
			b.ReportMetric(float64(size)/(1<<20), "MiB-page")
		})
	}
}
