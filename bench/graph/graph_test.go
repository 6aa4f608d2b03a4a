package graph

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/nbac/nbac/bench/estate"
	"github.com/nbac/nbac/emit/graph"
	"github.com/nbac/nbac/emit/graph/graphtest"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

var sizes = []int{100, 1000}

// cpuTime is the CPU time this process and its waited-for children (dot)
// have used: on a shared machine the wall clock per operation says more
// about the other tenants than about nbac, so each benchmark also reports
// cpu-ms/op.
func cpuTime() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	total := time.Duration(0)
	for _, r := range []syscall.Rusage{self, children} {
		total += time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	return total
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

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
			start := cpuTime()
			for b.Loop() {
				if err := graph.WriteDOT(io.Discard, graph.Build(m), graph.ByKind); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
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
			start := cpuTime()
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
			reportCPU(b, start)
			b.ReportMetric(float64(nodes), "nodes")
			b.ReportMetric(float64(size)/(1<<20), "MiB-page")
		})
	}
}
