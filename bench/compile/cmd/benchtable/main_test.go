package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkCompile/N=10/load-2         	       3	  2000000 ns/op	 2481872 B/op	   18895 allocs/op
BenchmarkKubernetes/N=10/nbac-2                 	       3	 10000000 ns/op	13747426 B/op	   89462 allocs/op
BenchmarkAnchors/N=10/helm-2            	       2	  30000000 ns/op	 6028884 B/op	   51392 allocs/op
BenchmarkAnchors/N=10/cue-2             	       2	 250000000 ns/op	19799972 B/op	  152558 allocs/op
BenchmarkBuildProcess/N=10-2            	       2	 40000000 ns/op	 21.50 peak-RSS-MB	 1000 B/op	 10 allocs/op
PASS
`

func TestParseAndSection(t *testing.T) {
	res, sizes := parse(strings.NewReader(sample))
	if len(sizes) != 1 || sizes[0] != 10 {
		t.Fatalf("sizes %v", sizes)
	}
	if r := res["BuildProcess"][10]; r.nsOp != 40000000 || r.rssMB != 21.5 {
		t.Errorf("BuildProcess = %+v", r)
	}
	sec := section(res, sizes)
	for _, want := range []string{"| 10 | 10.0 | 30.0 | 250 | 3.00x | 25.00x |", "| 10 | 40.0 | 22 |", "| load: parse"} {
		if !strings.Contains(sec, want) {
			t.Errorf("section lacks %q:\n%s", want, sec)
		}
	}
}

func TestSpliceKeepsOtherSections(t *testing.T) {
	doc := "# Performance\n\nintro\n\n## Cache\n\ncache text\n\n## Compile\n\nold\n\n## Queues\n\nqueue text\n"
	got := splice(doc, "## Compile\n\nnew\n")
	want := "# Performance\n\nintro\n\n## Cache\n\ncache text\n\n## Compile\n\nnew\n\n## Queues\n\nqueue text\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := splice("# P\n\nintro\n", "## Compile\n\nnew\n"); got != "# P\n\nintro\n\n## Compile\n\nnew\n" {
		t.Errorf("append: %q", got)
	}
	doc = "# P\n\n## Compile\n\nold table\n\n### Findings\n\nwhy\n\n## Queues\n\nq\n"
	if got := splice(doc, "## Compile\n\nnew table\n"); got != "# P\n\n## Compile\n\nnew table\n\n### Findings\n\nwhy\n\n## Queues\n\nq\n" {
		t.Errorf("findings not kept: %q", got)
	}
}
