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
		Settings: settings, block: block,
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
// secret values, so neither does this. One pass over the JSON tokens.
func flatten(block any) []Attr {
	data, err := json.Marshal(block)
	if err != nil {
		return nil // schema types are plain values; this does not happen
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []Attr
	flattenValue(dec, "", &out)
	return out
}

// flattenValue reads one JSON value into out and reports whether it was a
// scalar.
func flattenValue(dec *json.Decoder, prefix string, out *[]Attr) bool {
	tok, err := dec.Token()
	if err != nil {
		return true
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			for dec.More() {
				k, _ := dec.Token()
				key, _ := k.(string)
				if prefix != "" {
					key = prefix + "." + key
				}
				flattenValue(dec, key, out)
			}
			dec.Token() // }
			return false
		}
		start, scalars := len(*out), true
		for i := 0; dec.More(); i++ {
			scalars = flattenValue(dec, prefix+"["+strconv.Itoa(i)+"]", out) && scalars
		}
		dec.Token() // ]
		if scalars && len(*out) > start {
			vals := make([]string, 0, len(*out)-start)
			for _, a := range (*out)[start:] {
				vals = append(vals, a.Value)
			}
			*out = append((*out)[:start], Attr{prefix, strings.Join(vals, ", ")})
		}
		return false
	case string:
		*out = append(*out, Attr{prefix, t})
	case json.Number:
		*out = append(*out, Attr{prefix, t.String()})
	case bool:
		*out = append(*out, Attr{prefix, strconv.FormatBool(t)})
	case nil:
		*out = append(*out, Attr{prefix, ""})
	}
	return true
}
