package graph

import "slices"

// Mark colours g with what a build would do, given prev, the graph of the
// model.json the output directory holds (nil when it holds none), and
// files, the status of each artifact origin (`service "api"`) from
// emit/plan's comparison of the directory with the build.
//
// A node is added when prev lacks it; changed when its attributes differ
// from prev's or a file it produces changes (a manifest can change while
// the model does not, after an nbac upgrade); removed nodes and edges of
// prev are put back into g, drawn dashed, so the picture shows what goes.
func Mark(g, prev *Graph, files map[string]Status) {
	for _, n := range g.Nodes {
		var old *Node
		if prev != nil {
			old = prev.Node(n.ID)
		}
		switch {
		case old == nil:
			n.Status = Added
		case !slices.Equal(old.Attrs(), n.Attrs()) || files[n.Origin] != Unchanged:
			n.Status = Changed
		}
	}
	if prev == nil {
		for i := range g.Edges {
			g.Edges[i].Status = Added
		}
		return
	}
	had := make(map[Edge]bool, len(prev.Edges))
	for _, e := range prev.Edges {
		had[Edge{From: e.From, To: e.To, Label: e.Label}] = true
	}
	has := make(map[Edge]bool, len(g.Edges))
	for i, e := range g.Edges {
		has[Edge{From: e.From, To: e.To, Label: e.Label}] = true
		if !had[Edge{From: e.From, To: e.To, Label: e.Label}] {
			g.Edges[i].Status = Added
		}
	}
	for _, n := range prev.Nodes {
		if g.Node(n.ID) == nil {
			gone := *n
			gone.Status = Removed
			g.add(&gone)
		}
	}
	for _, e := range prev.Edges {
		if !has[Edge{From: e.From, To: e.To, Label: e.Label}] {
			e.Status = Removed
			g.Edges = append(g.Edges, e)
		}
	}
	g.finish()
}
