package graph

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nbac/nbac/emit/graph/graphtest"
	"github.com/nbac/nbac/golden"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.dot from the current output")

// requireDot skips the test loudly when Graphviz is missing, or fails it
// under NBAC_REQUIRE_SERVICES=1 (as CI runs, with graphviz installed).
func requireDot(t testing.TB) { t.Helper(); graphtest.RequireTool(t, "graphviz", DotProgram) }

// goldenGraph is one golden DOT file and the model it is drawn from.
type goldenGraph struct {
	name    string // testdata/<name>.dot
	model   *schema.Model
	cluster Cluster
	targets []string
}

// goldenGraphs draws every golden/*.txtar case that compiles (the project's
// whole catalogue of configurations), examples/nba, and the clustering and
// filtering variants on the multi-file estate.
func goldenGraphs(t *testing.T) []goldenGraph {
	t.Helper()
	var out []goldenGraph
	cases, err := filepath.Glob("../../golden/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, path := range cases {
		dir := t.TempDir()
		_, opts, err := golden.Prepare(path, dir)
		if err != nil {
			t.Fatal(err)
		}
		m := load(t, dir, opts)
		if m == nil {
			continue // an error case: nothing to draw
		}
		name := strings.TrimSuffix(filepath.Base(path), ".txtar")
		out = append(out, goldenGraph{name: name, model: m, cluster: ByKind})
		if name == "multi_file_estate" {
			out = append(out,
				goldenGraph{name: name + ".namespace", model: m, cluster: ByNamespace},
				goldenGraph{name: name + ".none", model: m, cluster: NoClusters})
		}
	}
	nba := load(t, "../../examples/nba", lang.Options{})
	if nba == nil {
		t.Fatal("examples/nba does not compile")
	}
	out = append(out,
		goldenGraph{name: "nba", model: nba, cluster: ByKind},
		goldenGraph{name: "nba.target_cache", model: nba, cluster: ByKind, targets: []string{"cache.*"}})
	return out
}

// load compiles dir, running from it so that file names are relative and
// the golden files do not hold the temporary directory; nil on errors.
func load(t *testing.T, dir string, opts lang.Options) *schema.Model {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(abs); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	res := lang.Load(".", opts)
	if res.Model == nil || res.Diags.HasErrors() {
		return nil
	}
	return res.Model
}

func drawDOT(t *testing.T, gg goldenGraph) []byte {
	t.Helper()
	g, err := Select(Build(gg.model), gg.targets)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteDOT(&b, g, gg.cluster); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGoldenDOT compares the DOT of every golden configuration byte for
// byte with testdata/<case>.dot (refresh with -update and review the diff).
func TestGoldenDOT(t *testing.T) {
	graphs := goldenGraphs(t)
	if len(graphs) < 20 {
		t.Fatalf("only %d golden graphs: the golden cases were not found", len(graphs))
	}
	for _, gg := range graphs {
		t.Run(gg.name, func(t *testing.T) {
			got := drawDOT(t, gg)
			if again := drawDOT(t, gg); !bytes.Equal(got, again) {
				t.Fatal("two drawings of the same model differ")
			}
			file := filepath.Join("testdata", gg.name+".dot")
			if *update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", file, d)
			}
		})
	}
}

// TestGraphvizAcceptsGolden lays out every golden graph with the real dot
// and checks the SVG has exactly one element per node and per edge, with
// each node's name drawn: Graphviz, not this package, decides that the
// DOT is well formed.
func TestGraphvizAcceptsGolden(t *testing.T) {
	requireDot(t)
	for _, gg := range goldenGraphs(t) {
		t.Run(gg.name, func(t *testing.T) {
			g, _ := Select(Build(gg.model), gg.targets)
			var b bytes.Buffer
			if err := WriteDOT(&b, g, gg.cluster); err != nil {
				t.Fatal(err)
			}
			svg, err := Render(context.Background(), b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			checkSVG(t, g, svg)
		})
	}
}

// svgNode is a <g> element of Graphviz's SVG with its text lines.
type svgGroup struct {
	ID    string     `xml:"id,attr"`
	Class string     `xml:"class,attr"`
	Title string     `xml:"title"`
	Texts []string   `xml:"text"`
	Inner []svgGroup `xml:"g"`
}

// parseSVG returns the node and edge groups of an SVG, by id.
func parseSVG(t *testing.T, svg []byte) (nodes map[string]svgGroup, edges int) {
	t.Helper()
	var doc struct {
		Groups []svgGroup `xml:"g"`
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the SVG is not well-formed XML: %v", err)
	}
	nodes = map[string]svgGroup{}
	var walk func([]svgGroup)
	walk = func(gs []svgGroup) {
		for _, g := range gs {
			switch g.Class {
			case "node":
				if _, dup := nodes[g.ID]; dup {
					t.Errorf("two SVG nodes have id %q", g.ID)
				}
				nodes[g.ID] = g
			case "edge":
				edges++
			}
			walk(g.Inner)
		}
	}
	walk(doc.Groups)
	return nodes, edges
}

// checkSVG checks that Graphviz drew every node of g, with its title line
// exactly as the model spells it, and every edge, and nothing else.
func checkSVG(t *testing.T, g *Graph, svg []byte) {
	t.Helper()
	nodes, edges := parseSVG(t, svg)
	if len(nodes) != len(g.Nodes) || edges != len(g.Edges) {
		t.Fatalf("Graphviz drew %d nodes and %d edges; the graph has %d and %d", len(nodes), edges, len(g.Nodes), len(g.Edges))
	}
	for i, n := range g.Nodes {
		sg, ok := nodes[blockID(i)]
		if !ok {
			t.Errorf("node %s (%s) is not in the SVG", n.ID, blockID(i))
			continue
		}
		// Graphviz unescapes only \" in a quoted ID, so a backslash in a
		// name (which the language does not allow) shows doubled in the
		// SVG's tooltip title; labels are faithful.
		if want := strings.ReplaceAll(drawn(n.ID), `\`, `\\`); spaces(sg.Title) != spaces(want) {
			t.Errorf("SVG node %s is titled %q, want %q", blockID(i), sg.Title, want)
		}
		head := strings.ReplaceAll(n.Kind, "_", " ") + " " + n.Name
		if n.Status != Unchanged {
			head = statusMark[n.Status] + " " + head
		}
		if len(sg.Texts) == 0 || spaces(sg.Texts[0]) != spaces(drawn(head)) {
			t.Errorf("SVG node %s reads %q, want first line %q", n.ID, sg.Texts, head)
		}
	}
}

// spaces makes Graphviz's SVG text comparable: it writes a leading,
// trailing or repeated space as a no-break space (&#160;) so that SVG
// keeps it.
func spaces(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }
