package graph

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/nbac/nbac/schema"
)

// Build returns the graph of m. It never fails: a reference to a block
// that is not in m (possible only in a model read back from JSON) is left
// out.
func Build(m *schema.Model) *Graph {
	g := &Graph{Name: m.Project.Name, Namespace: m.Project.Namespace}
	b := &builder{g: g, m: m}
	for _, k := range kinds {
		if k.add != nil {
			k.add(b)
		}
	}
	g.finish()
	return g
}

// builder is what a kind's add function gets: the model to read and the
// two ways to grow the graph.
type builder struct {
	g *Graph
	m *schema.Model
}

// node adds the block (kind, name) written at src, with settings for its
// label; block is the schema value, whose JSON form gives the attributes
// the HTML page shows.
func (b *builder) node(kind, name string, src schema.Source, block any, settings []Attr) *Node {
	n := &Node{
		ID: kind + "." + name, Kind: kind, Name: name,
		Settings: settings, Attrs: flatten(block),
		Src: src.Block, Origin: schema.Describe(kind, name),
	}
	for attr, r := range src.Attrs() {
		if n.Lines == nil {
			n.Lines = map[string]int{}
		}
		n.Lines[attr] = r.Start.Line
	}
	return b.g.add(n)
}

// edge adds a reference from node id from to node id to.
func (b *builder) edge(from, to, label string) {
	b.g.Edges = append(b.g.Edges, Edge{From: from, To: to, Label: label})
}

// flatten lists a block's attributes from its model.json form, in struct
// order: nested objects as dotted keys, lists of scalars as one
// comma-separated value, lists of objects by index. The model holds no
// secret values, so neither does this.
func flatten(block any) []Attr {
	data, err := json.Marshal(block)
	if err != nil {
		return nil // schema types are plain values; this does not happen
	}
	var out []Attr
	flattenInto(&out, "", data)
	return out
}

func flattenInto(out *[]Attr, prefix string, data json.RawMessage) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return
	}
	switch data[0] {
	case '{':
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.Token() // {
		for dec.More() {
			tok, _ := dec.Token()
			var v json.RawMessage
			if dec.Decode(&v) != nil {
				return
			}
			key, _ := tok.(string)
			if prefix != "" {
				key = prefix + "." + key
			}
			flattenInto(out, key, v)
		}
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return
		}
		scalars := make([]string, 0, len(items))
		for _, it := range items {
			if s, ok := scalarText(it); ok {
				scalars = append(scalars, s)
			}
		}
		if len(scalars) == len(items) {
			*out = append(*out, Attr{prefix, strings.Join(scalars, ", ")})
			return
		}
		for i, it := range items {
			flattenInto(out, prefix+"["+strconv.Itoa(i)+"]", it)
		}
	default:
		if s, ok := scalarText(data); ok {
			*out = append(*out, Attr{prefix, s})
		}
	}
}

// scalarText is a JSON scalar as text: strings unquoted, null as "".
func scalarText(data json.RawMessage) (string, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	case nil:
		return "", true
	}
	return "", false
}
