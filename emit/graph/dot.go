package graph

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Cluster says how WriteDOT groups nodes into boxes.
type Cluster string

const (
	ByKind      Cluster = "kind"      // one box per kind: Services, Queues, ...
	ByNamespace Cluster = "namespace" // one box per Kubernetes namespace; the rest outside
	NoClusters  Cluster = "none"
)

// Clusters lists the valid Cluster values, for flag checking and help.
var Clusters = []Cluster{ByKind, ByNamespace, NoClusters}

// largeGraph is the node count above which WriteDOT asks Graphviz for a
// cheaper layout.
const largeGraph = 500

// maxValue is how many characters of a setting the picture shows; the
// HTML page's panel shows the whole value.
const maxValue = 60

// Colours of plan statuses: fill and border.
var statusStyle = map[Status]struct{ fill, border, style string }{
	Added:   {"#c8e6c9", "#2e7d32", "rounded,filled,bold"},
	Changed: {"#ffe0b2", "#e65100", "rounded,filled,bold"},
	Removed: {"#ffcdd2", "#c62828", "rounded,filled,dashed"},
}

// WriteDOT writes g as a Graphviz digraph: left to right, nodes clustered
// as asked, each node's SVG id "blockN" (N its index in g.Nodes, which the
// HTML page relies on). Every string from the configuration is escaped, so
// no name or value can end a quoted string or inject a Graphviz escape.
func WriteDOT(w io.Writer, g *Graph, cluster Cluster) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "digraph %s {\n", quote(g.Name))
	bw.WriteString("\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.25, ranksep=0.9, labelloc=t, label=" + quote(graphLabel(g)) + "];\n")
	if len(g.Nodes) > largeGraph {
		// Fewer network-simplex and crossing-minimisation passes: a
		// quarter less layout time on the 1,000-service estate, for a
		// picture one reads with find and zoom anyway.
		bw.WriteString("\tgraph [nslimit=1, mclimit=0.3];\n")
	}
	bw.WriteString("\tnode [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, color=\"#546e7a\"];\n")
	bw.WriteString("\tedge [fontname=\"Helvetica\", fontsize=9, color=\"#546e7a\", fontcolor=\"#37474f\"];\n")

	index := make(map[*Node]int, len(g.Nodes))
	for i, n := range g.Nodes {
		index[n] = i
	}
	for _, grp := range groups(g, cluster) {
		indent := "\t"
		if grp.id != "" {
			fmt.Fprintf(bw, "\tsubgraph %s {\n\t\tlabel=%s;\n\t\tstyle=\"rounded,dashed\";\n\t\tcolor=\"#90a4ae\";\n\t\tfontcolor=\"#455a64\";\n", quote(grp.id), quote(grp.title))
			indent = "\t\t"
		}
		for _, n := range grp.nodes {
			writeNode(bw, indent, n, index[n])
		}
		if grp.id != "" {
			bw.WriteString("\t}\n")
		}
	}
	for _, e := range g.Edges {
		fmt.Fprintf(bw, "\t%s -> %s [label=%s", quote(e.From), quote(e.To), quote(e.Label))
		if st, ok := statusStyle[e.Status]; ok {
			fmt.Fprintf(bw, ", color=%s, fontcolor=%s, penwidth=2", quote(st.border), quote(st.border))
			if e.Status == Removed {
				bw.WriteString(", style=dashed")
			}
		}
		bw.WriteString("];\n")
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

func writeNode(bw *bufio.Writer, indent string, n *Node, i int) {
	k := kindOf(n.Kind)
	fmt.Fprintf(bw, "%s%s [id=%s, shape=%s, label=%s, fillcolor=%s", indent, quote(n.ID), quote(blockID(i)), k.Shape, `"`+nodeLabel(n)+`"`, quote(k.Fill))
	if st, ok := statusStyle[n.Status]; ok {
		fmt.Fprintf(bw, ", fillcolor=%s, color=%s, penwidth=2, style=%s", quote(st.fill), quote(st.border), quote(st.style))
	}
	bw.WriteString("];\n")
}

// graphLabel is the title over the picture: the project, and with a plan
// what it does.
func graphLabel(g *Graph) string {
	label := g.Name
	var add, change, remove int
	for _, n := range g.Nodes {
		switch n.Status {
		case Added:
			add++
		case Changed:
			change++
		case Removed:
			remove++
		}
	}
	if add+change+remove > 0 {
		label += fmt.Sprintf(" (plan: %d to add, %d to change, %d to remove)", add, change, remove)
	}
	return label
}

// nodeLabel is a node's text: its kind and name, centred, then one
// left-aligned line per setting. The line breaks are DOT escapes written
// here, after escaping, so the configuration's text cannot add any.
func nodeLabel(n *Node) string {
	var b strings.Builder
	head := strings.ReplaceAll(n.Kind, "_", " ") + " " + n.Name
	if n.Status != Unchanged {
		head = statusMark[n.Status] + " " + head
	}
	b.WriteString(escape(head))
	b.WriteString(`\n`)
	for _, a := range n.Settings {
		b.WriteString(escape(a.Key + ": " + shorten(a.Value)))
		b.WriteString(`\l`)
	}
	return b.String()
}

// statusMark prefixes a node's title the way plan output does.
var statusMark = map[Status]string{Added: "+", Changed: "~", Removed: "-"}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxValue {
		return s
	}
	r := []rune(s)
	return string(r[:maxValue-1]) + "…"
}

// quote returns s as a DOT quoted string with every character escaped.
func quote(s string) string { return `"` + escape(s) + `"` }

// escape makes s safe inside a DOT quoted string: valid UTF-8, quotes and
// backslashes escaped, & as an entity, control and line-separator characters as spaces.
func escape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '&':
			// Graphviz decodes entities in labels; a literal & must not
			// start one, so "&lt;" in a name is drawn as written.
			b.WriteString("&amp;")
		case r == '"' || r == '\\':
			// A backslash escaped stays a backslash: no \N, \G or \l from
			// the configuration reaches Graphviz's label expansion.
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// group is one cluster of nodes (id "" for nodes outside any cluster).
type group struct {
	id, title string
	nodes     []*Node
}

func groups(g *Graph, cluster Cluster) []group {
	switch cluster {
	case ByKind:
		var out []group
		seen := map[string]int{}
		for _, n := range g.Nodes {
			i, ok := seen[n.Kind]
			if !ok {
				i = len(out)
				seen[n.Kind] = i
				out = append(out, group{id: "cluster_" + n.Kind, title: kindOf(n.Kind).Title})
			}
			out[i].nodes = append(out[i].nodes, n)
		}
		return sortGroups(out)
	case ByNamespace:
		outside := group{}
		var out []group
		seen := map[string]int{}
		for _, n := range g.Nodes {
			if n.Namespace == "" {
				outside.nodes = append(outside.nodes, n)
				continue
			}
			i, ok := seen[n.Namespace]
			if !ok {
				i = len(out)
				seen[n.Namespace] = i
				out = append(out, group{id: "cluster_ns_" + strconv.Itoa(i), title: "namespace " + n.Namespace})
			}
			out[i].nodes = append(out[i].nodes, n)
		}
		return append([]group{outside}, out...)
	}
	return []group{{nodes: g.Nodes}}
}

// sortGroups orders kind clusters as the kinds table does, so that the
// DOT text does not depend on which kind a model happens to list first.
func sortGroups(gs []group) []group {
	rank := func(id string) int {
		for i, k := range kinds {
			if "cluster_"+k.Name == id {
				return i
			}
		}
		return len(kinds)
	}
	out := make([]group, 0, len(gs))
	for r := 0; r <= len(kinds); r++ {
		for _, g := range gs {
			if rank(g.id) == r {
				out = append(out, g)
			}
		}
	}
	return out
}

// blockID is the SVG element id of the i'th node, which the HTML page
// finds its data by. Graphviz numbers its own ids "nodeN" and "edgeN".
func blockID(i int) string { return "block" + strconv.Itoa(i) }
