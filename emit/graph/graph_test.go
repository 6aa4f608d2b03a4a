package graph

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/nbac/nbac/emit/graph/graphtest"
	"github.com/nbac/nbac/lang"
	"github.com/nbac/nbac/schema"
)

// drawn is how Graphviz must show s: the same text, with invalid UTF-8
// and control characters replaced (the only changes escaping makes).
func drawn(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// TestHostileStringsSurviveGraphviz: every hostile name and value is drawn
// by the real dot as exactly that text, one node per block and one edge
// per reference: nothing a configuration writes can add a node, an
// attribute or a Graphviz escape. The HTML half of this is in
// conformance/graphhtml, in a real browser.
func TestHostileStringsSurviveGraphviz(t *testing.T) {
	requireDot(t)
	g := Build(graphtest.HostileModel())
	if len(g.Nodes) != 3*len(graphtest.Hostile) || len(g.Edges) != 2*len(graphtest.Hostile) {
		t.Fatalf("%d nodes, %d edges; want %d and %d", len(g.Nodes), len(g.Edges), 3*len(graphtest.Hostile), 2*len(graphtest.Hostile))
	}
	for _, cl := range Clusters {
		var b bytes.Buffer
		if err := WriteDOT(&b, g, cl); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(b.Bytes()) {
			t.Fatal("the DOT is not valid UTF-8")
		}
		svg, err := Render(context.Background(), b.Bytes())
		if err != nil {
			t.Fatalf("-cluster %s: %v\n%s", cl, err, b.String())
		}
		nodes, _ := parseSVG(t, svg)
		checkSVG(t, g, svg)
		for i, n := range g.Nodes {
			texts := nodes[blockID(i)].Texts
			if n.Kind != "service" {
				continue
			}
			want := "image: " + drawn(n.Name)
			if utf8.RuneCountInString(want) > maxValue+len("image: ") {
				t.Fatalf("hostile string %q too long for the test", n.Name)
			}
			if len(texts) < 2 || spaces(texts[1]) != spaces(want) {
				t.Errorf("service %q: second line %q, want %q", n.Name, texts, want)
			}
		}
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		`a"b`:         `a\"b`,
		`a\nb`:        `a\\nb`,
		"a\nb":        "a b",
		"&lt;":        "&amp;lt;",
		"\xff":        "\uFFFD",
		`trailing \`:  `trailing \\`,
		"ok.name-1_2": "ok.name-1_2",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func nbaGraph(t *testing.T) *Graph {
	t.Helper()
	res := lang.Load("../../examples/nba", lang.Options{})
	if res.Diags.HasErrors() {
		t.Fatal(res.Diags)
	}
	return Build(res.Model)
}

func ids(g *Graph) []string {
	var out []string
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	slices.Sort(out)
	return out
}

// TestSelect: a target keeps what it reaches and what reaches it, not its
// siblings' dependencies.
func TestSelect(t *testing.T) {
	g := nbaGraph(t)
	sub, err := Select(g, []string{"queue.ml_training"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"broker.jobs", "ingress.nba-mcp-server", "queue.ml_training", "redis.main", "service.nba-mcp-server"}
	if got := ids(sub); !slices.Equal(got, want) {
		t.Errorf("-target queue.ml_training kept %v, want %v", got, want)
	}
	for _, e := range sub.Edges {
		if sub.Node(e.From) == nil || sub.Node(e.To) == nil {
			t.Errorf("edge %v has an end outside the selection", e)
		}
	}
	// A bare name and a glob match too; several targets add up.
	sub, err = Select(g, []string{"nba_mcp/app?", "nba_mcp_admin"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(sub); len(got) != 7 || !slices.Contains(got, "backend.nba_mcp/app1") || !slices.Contains(got, "load_balancer.nba_mcp") {
		t.Errorf("-target nba_mcp/app? -target nba_mcp_admin kept %v", got)
	}
	if _, err := Select(g, []string{"service.nope", "cache.*"}); err == nil || !strings.Contains(err.Error(), `"service.nope"`) {
		t.Errorf("an unmatched target: err = %v, want one naming it", err)
	}
	if _, err := Select(g, []string{"["}); err == nil || !strings.Contains(err.Error(), "not a valid pattern") {
		t.Errorf("a bad pattern: err = %v", err)
	}
	if same, _ := Select(g, nil); same != g {
		t.Error("no target must keep the whole graph")
	}
}

// TestMark: the plan colours added, changed and removed blocks and
// references, and puts back what goes.
func TestMark(t *testing.T) {
	prevModel := &schema.Model{
		Services: []schema.Service{
			{Name: "api", Image: "api:v1", Uses: []schema.Ref{{Kind: "cache", Name: "old"}}},
			{Name: "web", Image: "web:v1"},
			{Name: "worker", Image: "worker:v1"},
		},
		Caches: []schema.Cache{{Name: "old"}},
	}
	nextModel := &schema.Model{
		Services: []schema.Service{
			{Name: "api", Image: "api:v2", Uses: []schema.Ref{{Kind: "cache", Name: "new"}}},
			{Name: "web", Image: "web:v1"},
			{Name: "worker", Image: "worker:v1"},
		},
		Caches: []schema.Cache{{Name: "new"}},
	}
	g := Build(nextModel)
	Mark(g, Build(prevModel), map[string]Status{`service "worker"`: Changed})
	want := map[string]Status{
		"service.api": Changed, "service.web": Unchanged, "service.worker": Changed,
		"cache.new": Added, "cache.old": Removed,
	}
	for id, st := range want {
		n := g.Node(id)
		if n == nil {
			t.Errorf("%s is missing", id)
			continue
		}
		if n.Status != st {
			t.Errorf("%s: %q, want %q", id, n.Status, st)
		}
	}
	edges := map[string]Status{}
	for _, e := range g.Edges {
		edges[e.From+">"+e.To] = e.Status
	}
	if edges["service.api>cache.new"] != Added || edges["service.api>cache.old"] != Removed || len(edges) != 2 {
		t.Errorf("edges %v", edges)
	}
	var b bytes.Buffer
	WriteDOT(&b, g, ByKind)
	if !strings.Contains(b.String(), "1 to add, 2 to change, 1 to remove") || !strings.Contains(b.String(), `label="- cache old\n"`) {
		t.Errorf("the DOT does not show the plan:\n%s", b.String())
	}

	// No previous model: everything is new.
	g = Build(nextModel)
	Mark(g, nil, nil)
	for _, n := range g.Nodes {
		if n.Status != Added {
			t.Errorf("%s: %q with no previous build", n.ID, n.Status)
		}
	}
}

// TestAttrs: the panel's attributes are the model.json fields, flattened in
// order, with the line each top-level attribute was written on.
func TestAttrs(t *testing.T) {
	g := nbaGraph(t)
	c := g.Node("cache.player_stats")
	got := map[string]string{}
	var keys []string
	for _, a := range c.Attrs() {
		got[a.Key] = a.Value
		keys = append(keys, a.Key)
	}
	if keys[0] != "name" || got["l1.ttl"] != "5m0s" || got["l2.redis"] != "main" || got["warm"] != "player:lebron:stats" {
		t.Errorf("cache attrs %v", c.Attrs())
	}
	if c.Src.Filename == "" || c.Src.Start.Line == 0 || c.Lines["negative_ttl"] <= c.Src.Start.Line {
		t.Errorf("cache source %v lines %v", c.Src, c.Lines)
	}
	lb := g.Node("load_balancer.nba_mcp")
	var sawBackend bool
	for _, a := range lb.Attrs() {
		sawBackend = sawBackend || (a.Key == "backends[2].backup" && a.Value == "true")
	}
	if !sawBackend {
		t.Errorf("load balancer attrs lack backends[2].backup: %v", lb.Attrs())
	}
}
