package graph

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.js
	pageJS string

	page = template.Must(template.New("page").Parse(pageHTML))
	// pageCSP allows nothing but the page's own script (by hash) and
	// inline styles: no network, and a script that a hostile string
	// managed to smuggle into the page would not run either.
	pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-" + scriptHash(pageJS) + "'"
)

func scriptHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// pageNode is what the page's panel shows about a node.
type pageNode struct {
	ID     string     `json:"id"`    // the SVG element id, "blockN"
	Block  string     `json:"block"` // kind.name
	Kind   string     `json:"kind"`
	Name   string     `json:"name"`
	File   string     `json:"file,omitempty"`
	Line   int        `json:"line,omitempty"`
	Status Status     `json:"status,omitempty"`
	Attrs  []pageAttr `json:"attrs"`
}

type pageAttr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Line  int    `json:"line,omitempty"`
}

// WriteHTML writes one self-contained page: svg (Render's output for g's
// DOT) inline, the nodes' positions and attributes as JSON, and the
// script that pans, zooms and shows a clicked block. It loads nothing from
// the network.
func WriteHTML(w io.Writer, g *Graph, svg []byte) error {
	start := bytes.Index(svg, []byte("<svg"))
	end := bytes.LastIndex(svg, []byte("</svg>"))
	if start < 0 || end < start {
		return errors.New("the layout is not an SVG document")
	}
	nodes := make([]pageNode, len(g.Nodes))
	plan := false
	for i, n := range g.Nodes {
		pn := pageNode{ID: blockID(i), Block: n.ID, Kind: n.Kind, Name: n.Name, File: n.Src.Filename, Line: n.Src.Start.Line, Status: n.Status}
		attrs := n.Attrs()
		pn.Attrs = make([]pageAttr, len(attrs))
		for j, a := range attrs {
			pn.Attrs[j] = pageAttr{Key: a.Key, Value: a.Value, Line: n.Lines[topKey(a.Key)]}
		}
		nodes[i] = pn
		plan = plan || n.Status != Unchanged
	}
	return page.Execute(w, struct {
		Title string
		CSP   string
		Plan  bool
		SVG   template.HTML
		Data  any
		JS    template.JS
	}{
		Title: graphLabel(g) + " - nbac graph",
		CSP:   pageCSP,
		Plan:  plan,
		// Graphviz writes every label and name as escaped XML text.
		SVG: template.HTML(svg[start : end+len("</svg>")]),
		Data: struct {
			Nodes []pageNode `json:"nodes"`
			Edges int        `json:"edges"`
		}{nodes, len(g.Edges)},
		JS: template.JS(pageJS),
	})
}

// topKey is the attribute an attrs key comes from: "l1" for "l1.ttl",
// "backends" for "backends[0].name".
func topKey(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] == '.' || k[i] == '[' {
			return k[:i]
		}
	}
	return k
}
