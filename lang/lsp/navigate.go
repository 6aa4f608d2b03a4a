package lsp

import (
	"bytes"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	protocol "github.com/tliron/glsp/protocol_3_16"
)

// Definition is where the block, variable or local referred to at pos is
// declared.
func (s *Server) Definition(uri string, pos protocol.Position) []protocol.Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, key, ok := s.nameAt(uri, pos)
	if !ok {
		return nil
	}
	d, ok := ix.defs[key]
	if !ok {
		return nil
	}
	return []protocol.Location{s.location(ix, d.name)}
}

// References lists every reference to the name at pos (a reference or a
// declaration's label) in the configuration, in file and source order.
func (s *Server) References(uri string, pos protocol.Position, withDecl bool) []protocol.Location {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, key, ok := s.nameAt(uri, pos)
	if !ok {
		return nil
	}
	out := []protocol.Location{}
	if d, ok := ix.defs[key]; ok && withDecl {
		out = append(out, s.location(ix, d.name))
	}
	for _, r := range ix.refs {
		if r.key == key {
			out = append(out, s.location(ix, r.rng))
		}
	}
	return out
}

// nameAt is the configuration's index and the key of the reference or
// declaration at pos.
func (s *Server) nameAt(uri string, pos protocol.Position) (*index, string, bool) {
	path, doc := s.doc(uri)
	if doc == nil {
		return nil, "", false
	}
	ix := s.index(filepath.Dir(path))
	key, ok := ix.keyAt(path, doc.offset(pos))
	return ix, key, ok
}

func (s *Server) location(ix *index, r hcl.Range) protocol.Location {
	t := newText(nil)
	if f := ix.files[r.Filename]; f != nil {
		t = newText(f.src)
	}
	return protocol.Location{URI: uriOf(r.Filename), Range: t.rangeOf(r)}
}

// Symbols is the outline of a document: its blocks, their nested blocks
// and attributes.
func (s *Server) Symbols(uri string) []protocol.DocumentSymbol {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, doc := s.doc(uri)
	if doc == nil {
		return nil
	}
	f, _ := hclsyntax.ParseConfig(doc.src, path, hcl.InitialPos)
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return []protocol.DocumentSymbol{}
	}
	return bodySymbols(doc, body, true)
}

func bodySymbols(doc *text, body *hclsyntax.Body, top bool) []protocol.DocumentSymbol {
	out := []protocol.DocumentSymbol{}
	for _, b := range body.Blocks {
		name := b.Type
		for _, l := range b.Labels {
			name += ` "` + l + `"`
		}
		kind := protocol.SymbolKindStruct
		if top {
			kind = protocol.SymbolKindClass
		}
		out = append(out, protocol.DocumentSymbol{
			Name: name, Kind: kind,
			Range: doc.rangeOf(b.Range()), SelectionRange: doc.rangeOf(b.DefRange()),
			Children: bodySymbols(doc, b.Body, false),
		})
	}
	for _, a := range body.Attributes {
		out = append(out, protocol.DocumentSymbol{
			Name: a.Name, Kind: protocol.SymbolKindProperty,
			Range: doc.rangeOf(a.SrcRange), SelectionRange: doc.rangeOf(a.NameRange),
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Range.Start, out[j].Range.Start
		return a.Line < b.Line || a.Line == b.Line && a.Character < b.Character
	})
	return out
}

// Format is `nbac fmt` of the document: one edit replacing it with
// hclwrite's canonical layout; none when it is formatted, or when it does
// not parse (formatting a broken file would only move the mistake).
func (s *Server) Format(uri string) []protocol.TextEdit {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, doc := s.doc(uri)
	if doc == nil || strings.HasSuffix(path, ".json") {
		return nil
	}
	if _, diags := hclsyntax.ParseConfig(doc.src, path, hcl.InitialPos); diags.HasErrors() {
		return nil
	}
	out := hclwrite.Format(doc.src)
	if bytes.Equal(out, doc.src) {
		return []protocol.TextEdit{}
	}
	return []protocol.TextEdit{{
		Range:   protocol.Range{Start: protocol.Position{}, End: doc.position(len(doc.src))},
		NewText: string(out),
	}}
}
