package graph

import (
	"cmp"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// Graph is an estate as nodes and edges. Nodes are in kinds-table order,
// then in model order (sorted by name); edges are sorted, so that writing
// a Graph is deterministic.
type Graph struct {
	Name      string // the project's name: the DOT graph's name
	Namespace string // the project's Kubernetes namespace
	Nodes     []*Node
	Edges     []Edge
	byID      map[string]*Node
}

// Node is one block of the estate.
type Node struct {
	// ID is "kind.name" (a backend: "load_balancer.lb/backend.name"); it is
	// unique in the graph and names the node in DOT.
	ID   string
	Kind string // an entry of the kinds table
	Name string
	// Settings are the few attributes worth reading on the picture, in
	// order; they make the node's label.
	Settings []Attr
	// block is the schema value; Attrs flattens it when first asked (DOT
	// output never needs it).
	block any
	attrs []Attr
	// Src is where the block was written (empty for a model read back
	// from JSON); Lines gives, per attribute written, its line.
	Src   hcl.Range
	Lines map[string]int
	// Namespace is the Kubernetes namespace the block lives in, or ""
	// for what runs outside the cluster (VMs, external redis and brokers).
	Namespace string
	// Origin is how plan output names the block (`service "api"`): the
	// key that plan's file changes are matched by.
	Origin string
	Status Status
}

// Attr is one attribute: a name and its value as text.
type Attr struct{ Key, Value string }

// Edge is a reference from one block to another.
type Edge struct {
	From, To string // node IDs
	Label    string // what the reference is: uses, backends_from, l2, broker, redis, host
	Status   Status
}

// Status is what a plan would do to a node or an edge.
type Status string

const (
	Unchanged Status = ""
	Added     Status = "add"
	Changed   Status = "change"
	Removed   Status = "remove"
)

// Attrs are every attribute of the block (its model.json form,
// flattened), shown when the node is clicked in the HTML page and compared
// by Mark.
func (n *Node) Attrs() []Attr {
	if n.attrs == nil && n.block != nil {
		n.attrs = flatten(n.block)
	}
	return n.attrs
}

// Node returns the node with id, or nil.
func (g *Graph) Node(id string) *Node { return g.byID[id] }

// add appends n unless a node with its ID exists, and returns the node
// that holds the ID.
func (g *Graph) add(n *Node) *Node {
	if g.byID == nil {
		g.byID = map[string]*Node{}
	}
	if old, ok := g.byID[n.ID]; ok {
		return old
	}
	g.byID[n.ID] = n
	g.Nodes = append(g.Nodes, n)
	return n
}

// finish drops edges whose ends are not nodes (a model read back from
// JSON may name a block that is gone) and sorts and deduplicates the rest.
func (g *Graph) finish() {
	g.Edges = slices.DeleteFunc(g.Edges, func(e Edge) bool { return g.byID[e.From] == nil || g.byID[e.To] == nil })
	slices.SortStableFunc(g.Edges, compareEdges)
	g.Edges = slices.CompactFunc(g.Edges, func(a, b Edge) bool { return compareEdges(a, b) == 0 })
}

func compareEdges(a, b Edge) int {
	return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Label, b.Label))
}
