package lsp

import (
	"path/filepath"
	"testing"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// FuzzDidChange: any edit, at any range (in or out of the document, inside
// a character), followed by every request at any position, never panics
// and never leaves the server without an answer. The handlers' recover
// would hide a panic from an editor; this fuzzer calls them directly, so a
// panic fails it.
func FuzzDidChange(f *testing.F) {
	f.Add(uint32(1), uint32(2), uint32(1), uint32(9), "image = var.", uint32(1), uint32(14))
	f.Add(uint32(0), uint32(0), uint32(99), uint32(0), "service \"ü😀\" {\n  probe \"", uint32(1), uint32(10))
	f.Add(uint32(3), uint32(5), uint32(2), uint32(1), "${cache.", uint32(3), uint32(5))
	f.Add(uint32(2), uint32(3), uint32(2), uint32(3), "}}}]]))\"\"/*", uint32(2), uint32(4))
	f.Add(uint32(1), uint32(1), uint32(1), uint32(1), "dynamic \"probe\" { for_each = local.x\n content {", uint32(1), uint32(20))
	dir, srcs := fixture(f)
	uri := uriOf(filepath.Join(dir, "svc.hcl"))
	f.Fuzz(func(t *testing.T, l1, c1, l2, c2 uint32, insert string, pl, pc uint32) {
		s := New(Options{}, nil)
		s.Open(uri, srcs["svc.hcl"])
		rng := protocol.Range{Start: protocol.Position{Line: l1 % 12, Character: c1 % 60}, End: protocol.Position{Line: l2 % 12, Character: c2 % 60}}
		s.Change(uri, []any{protocol.TextDocumentContentChangeEvent{Range: &rng, Text: insert}})
		pos := protocol.Position{Line: pl % 12, Character: pc % 60}
		s.Completion(uri, pos)
		s.Hover(uri, pos)
		s.Definition(uri, pos)
		s.References(uri, pos, true)
		s.Symbols(uri)
		s.Format(uri)
	})
}
