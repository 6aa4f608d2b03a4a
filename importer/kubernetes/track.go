package kubernetes

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/nbac/nbac/importer"
)

// use marks the fields at path (a dotted path, "[i]" for an index) as
// imported: the whole subtree counts.
func (o *Object) use(path ...string) {
	for _, p := range path {
		o.consumed = append(o.consumed, splitPath(p))
	}
}

// useSegs is use for a path already split (map keys may hold dots).
func (o *Object) useSegs(segs ...string) { o.consumed = append(o.consumed, segs) }

// report records a field (or the whole object, path "") as not imported.
func (o *Object) report(res *importer.Result, path, why, detail string) {
	o.reportSegs(res, splitPath(path), why, detail)
}

func (o *Object) reportSegs(res *importer.Result, segs []string, why, detail string) {
	o.reported = append(o.reported, segs)
	what := o.Kind + " " + o.Name
	if len(segs) > 0 {
		what += ": " + JoinPath(segs)
	}
	res.NotImported(o.File, lineAt(o.Node, segs), what, why, detail)
}

// Reported is the field paths reported as not imported (whole object:
// one empty path).
func (o *Object) Reported() [][]string { return o.reported }

// JoinPath writes segments back as a path; a map key with a dot or slash
// is bracketed and quoted so the path stays readable.
func JoinPath(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, "["):
			b.WriteString(s)
		case strings.ContainsAny(s, "./"):
			b.WriteString("[\"" + s + "\"]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// HasPathPrefix says whether path p starts with the segments of prefix.
func HasPathPrefix(p, prefix []string) bool {
	if len(prefix) > len(p) {
		return false
	}
	for i := range prefix {
		if p[i] != prefix[i] {
			return false
		}
	}
	return true
}

// coverage says whether path is covered by a mark (it or an ancestor is
// marked) and whether some mark lies strictly below it.
func coverage(marks [][]string, path []string) (covered, below bool) {
	for _, m := range marks {
		if HasPathPrefix(path, m) {
			return true, false
		}
		if HasPathPrefix(m, path) {
			below = true
		}
	}
	return false, below
}

// leftover reports every field of o that the mapping neither consumed nor
// reported, as the largest unmarked subtrees; empty values (null, {}, [],
// "") say nothing and are not reported. It returns the counts of leaf
// values imported and reported, for the import's figures.
func (o *Object) leftover(res *importer.Result, why, detail string) {
	o.walk(res, o.Node, nil, why, detail)
}

func (o *Object) walk(res *importer.Result, n *yaml.Node, path []string, why, detail string) {
	// An alias is a leaf here: following it could loop (an anchor may
	// contain its own alias) and its fields are the anchor's, reported there.
	if isEmpty(n) {
		return
	}
	if len(path) > 0 {
		all := append(append([][]string{}, o.consumed...), o.reported...)
		covered, below := coverage(all, path)
		if covered {
			return
		}
		if !below {
			o.reportSegs(res, path, why, detail)
			return
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			o.walk(res, n.Content[i+1], append(clonePath(path), n.Content[i].Value), why, detail)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			o.walk(res, c, append(clonePath(path), "["+itoa(i)+"]"), why, detail)
		}
	default:
		// A scalar with marks below it cannot happen; report it whole.
		o.reportSegs(res, path, why, detail)
	}
}

func clonePath(p []string) []string { return append([]string(nil), p...) }

func isEmpty(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) == 0
	case yaml.ScalarNode:
		return n.Tag == "!!null" || (n.Value == "" && n.Style == 0)
	}
	return false
}

// Counts are how many leaf values of an object were imported and reported.
type Counts struct{ Imported, Reported int }

// count tallies o's leaf values by their marks (after leftover, every
// non-empty leaf is under exactly one kind of mark; reported wins a tie).
func (o *Object) count() Counts {
	var c Counts
	var visit func(n *yaml.Node, path []string)
	visit = func(n *yaml.Node, path []string) {
		if isEmpty(n) {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				visit(n.Content[i+1], append(clonePath(path), n.Content[i].Value))
			}
			return
		case yaml.SequenceNode:
			for i, ch := range n.Content {
				visit(ch, append(clonePath(path), "["+itoa(i)+"]"))
			}
			return
		}
		if r, _ := coverage(o.reported, path); r {
			c.Reported++
		} else if u, _ := coverage(o.consumed, path); u {
			c.Imported++
		}
	}
	visit(o.Node, nil)
	return c
}
