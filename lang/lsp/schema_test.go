package lsp

import (
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/nbac/nbac/lang"
)

// TestCompletionCoversSchema: inside every block the schema has, at any
// depth, completion offers exactly that block's attributes and nested
// blocks, and at the top level exactly the top-level block types. Nothing
// in the server names a block, so a block added to the language is offered
// without touching it.
func TestCompletionCoversSchema(t *testing.T) {
	dir := t.TempDir()
	uri := uriOf(filepath.Join(dir, "x.hcl"))
	var walk func(b *lang.BlockSchema, header string, depth int)
	walk = func(b *lang.BlockSchema, header string, depth int) {
		var want []string
		for _, a := range b.Attributes {
			want = append(want, a.Name)
		}
		for _, c := range b.Blocks {
			want = append(want, c.Type)
		}
		src := header + strings.Repeat("}\n", depth)
		off := len(header)
		s := New(Options{}, nil)
		s.Open(uri, src)
		tx := newText([]byte(src))
		var got []string
		for _, it := range s.Completion(uri, tx.position(off)) {
			got = append(got, it.Label)
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("in %q: completion %v, schema %v", b.Path, got, want)
		}
		for _, c := range b.Blocks {
			h := header + strings.Repeat("  ", depth) + c.Type
			for range c.Labels {
				h += ` "x"`
			}
			walk(c, h+" {\n"+strings.Repeat("  ", depth+1), depth+1)
		}
	}
	walk(lang.Schema(), "", 0)
}
