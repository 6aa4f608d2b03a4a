package lsp

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	protocol "github.com/tliron/glsp/protocol_3_16"
	"github.com/zclconf/go-cty/cty"

	"github.com/nbac/nbac/lang"
)

// Hover explains what is under pos: a reference's value, as the last load
// evaluated it, or an attribute's or block's documentation.
func (s *Server) Hover(uri string, pos protocol.Position) *protocol.Hover {
	s.mu.Lock()
	defer s.mu.Unlock()
	path, doc := s.doc(uri)
	if doc == nil {
		return nil
	}
	off := doc.offset(pos)
	ix := s.index(filepath.Dir(path))
	if f := ix.files[path]; f != nil {
		for _, r := range f.refs {
			if within(r.rng, off) {
				return markdownHover(s.describeRef(filepath.Dir(path), r.key), doc.rangeOf(r.rng))
			}
		}
	}
	word, start := wordAt(doc.src, off)
	if word == "" {
		return nil
	}
	c := cursorAt(doc.src, start)
	if c.inExpr {
		return nil
	}
	block := lang.Schema().Find(strings.Join(c.blocks, "."))
	if block == nil {
		return nil
	}
	rng := doc.rangeOf(hcl.Range{Start: hcl.Pos{Byte: start}, End: hcl.Pos{Byte: start + len(word)}})
	if d, ok := reference.attrs[block.Path][word]; ok && slices.ContainsFunc(block.Attributes, func(a lang.AttributeSchema) bool { return a.Name == word }) {
		return markdownHover(d.markdown(block.Path, word), rng)
	}
	if b := block.Find(word); b != nil {
		return markdownHover(fmt.Sprintf("**%s** block (`%s`)\n\n%s", word, b.Path, reference.blocks[b.Path]), rng)
	}
	return nil
}

func markdownHover(md string, rng protocol.Range) *protocol.Hover {
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: protocol.MarkupKindMarkdown, Value: md}, Range: &rng}
}

// maxHoverLines keeps a large block's value readable.
const maxHoverLines = 40

// describeRef renders the value key ("service.api") resolves to in the
// last load. Sensitive values are never shown.
func (s *Server) describeRef(dir, key string) string {
	head := "`" + key + "`"
	res := s.loaded[dir]
	if res == nil || res.Roots == nil {
		return head + "\n\n(no value: the configuration does not load yet)"
	}
	root, name, _ := strings.Cut(key, ".")
	v, ok := attrOf(res.Roots[root], name)
	switch {
	case !ok:
		return head + "\n\n(not declared)"
	case v.ContainsMarked():
		return head + "\n\n(sensitive)"
	case !v.IsWhollyKnown():
		return head + "\n\n(not known: it depends on a value that failed to evaluate)"
	}
	src := strings.TrimSpace(string(hclwrite.Format(hclwrite.TokensForValue(v).Bytes())))
	if lines := strings.Split(src, "\n"); len(lines) > maxHoverLines {
		src = strings.Join(lines[:maxHoverLines], "\n") + "\n# ..."
	}
	return head + " =\n```hcl\n" + src + "\n```"
}

// attrOf reads obj.name from an object or map value, false when absent.
func attrOf(obj cty.Value, name string) (v cty.Value, ok bool) {
	if obj == cty.NilVal || obj.IsNull() || !obj.IsKnown() || obj.IsMarked() {
		return cty.NilVal, false
	}
	switch t := obj.Type(); {
	case t.IsObjectType():
		if !t.HasAttribute(name) {
			return cty.NilVal, false
		}
		return obj.GetAttr(name), true
	case t.IsMapType():
		k := cty.StringVal(name)
		if !obj.HasIndex(k).True() {
			return cty.NilVal, false
		}
		return obj.Index(k), true
	}
	return cty.NilVal, false
}
