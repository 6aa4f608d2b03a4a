package lsp

import (
	"path/filepath"
	"slices"
	"strings"

	protocol "github.com/tliron/glsp/protocol_3_16"

	"github.com/nbac/nbac/lang"
)

// Completion lists what may be written at pos: block types and attribute
// names at a key, enum values and references in a value.
func (s *Server) Completion(uri string, pos protocol.Position) []protocol.CompletionItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, doc := s.doc(uri)
	if doc == nil {
		return nil
	}
	c := cursorAt(doc.src, doc.offset(pos))
	items := []protocol.CompletionItem{}
	block := lang.Schema().Find(strings.Join(c.blocks, "."))
	switch {
	case block == nil:
		return items // inside a block the schema does not know
	case !c.inExpr && c.inDynamic:
		for _, a := range dynamicArguments {
			items = append(items, item(a, protocol.CompletionItemKindKeyword, "dynamic block argument", ""))
		}
	case !c.inExpr:
		items = keyItems(block, c.prefix)
	case c.traverse != nil:
		for _, n := range s.index(filepath.Dir(path)).names(c.traverse[0]) {
			items = append(items, item(n, protocol.CompletionItemKindReference, c.traverse[0]+"."+n, ""))
		}
	default:
		if doc, ok := reference.attrs[block.Path][c.attr]; ok && len(doc.Enum) > 0 {
			for _, v := range doc.Enum {
				insert := v
				if !c.inString {
					insert = `"` + v + `"`
				}
				it := item(v, protocol.CompletionItemKindEnumMember, c.attr+" value", "")
				it.InsertText = &insert
				items = append(items, it)
			}
		}
		if !c.inString {
			for _, r := range roots {
				items = append(items, item(r, protocol.CompletionItemKindModule, "reference root: "+r+".NAME", ""))
			}
		}
	}
	return filterPrefix(items, c.prefix)
}

// dynamicArguments are what a `dynamic` block holds (HCL's dynblock).
var dynamicArguments = []string{"for_each", "iterator", "labels", "content"}

// keyItems are the attributes and nested blocks of block (the top-level
// block types at the root).
func keyItems(block *lang.BlockSchema, prefix string) []protocol.CompletionItem {
	var items []protocol.CompletionItem
	for _, a := range block.Attributes {
		detail := "attribute"
		if a.Required {
			detail = "attribute (required)"
		}
		docs := ""
		if d, ok := reference.attrs[block.Path][a.Name]; ok {
			docs = d.markdown(block.Path, a.Name)
		}
		it := item(a.Name, protocol.CompletionItemKindProperty, detail, docs)
		insert := a.Name + " = "
		it.InsertText = &insert
		items = append(items, it)
	}
	for _, b := range block.Blocks {
		header := b.Type
		for _, l := range b.Labels {
			header += ` "` + l + `"`
		}
		it := item(b.Type, protocol.CompletionItemKindStruct, header+" { ... }", reference.blocks[b.Path])
		insert := b.Type + " "
		for range b.Labels {
			insert += `"" `
		}
		insert += "{\n}"
		it.InsertText = &insert
		items = append(items, it)
	}
	return items
}

func item(label string, kind protocol.CompletionItemKind, detail, docs string) protocol.CompletionItem {
	it := protocol.CompletionItem{Label: label, Kind: &kind, Detail: &detail}
	if docs != "" {
		it.Documentation = protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: docs}
	}
	return it
}

func filterPrefix(items []protocol.CompletionItem, prefix string) []protocol.CompletionItem {
	if prefix == "" {
		return items
	}
	return slices.DeleteFunc(items, func(it protocol.CompletionItem) bool { return !strings.HasPrefix(it.Label, prefix) })
}
