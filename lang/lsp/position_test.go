package lsp

import (
	"testing"
	"unicode/utf8"

	protocol "github.com/tliron/glsp/protocol_3_16"
)

// TestPositionsUTF16: LSP columns count UTF-16 units; é is one unit and
// two bytes, 😀 two units (a surrogate pair) and four bytes.
func TestPositionsUTF16(t *testing.T) {
	src := []byte("ab\né😀x\n\nlast")
	tx := newText(src)
	for _, c := range []struct {
		line, char uint32
		off        int
	}{
		{0, 0, 0}, {0, 2, 2}, {0, 9, 2}, // past the line's end: its end
		{1, 0, 3}, {1, 1, 5}, {1, 3, 9}, {1, 4, 10},
		{1, 2, 5},                          // inside the surrogate pair: the character's start
		{2, 0, 11}, {3, 4, 16}, {9, 0, 16}, // past the last line: the end
	} {
		if got := tx.offset(protocol.Position{Line: c.line, Character: c.char}); got != c.off {
			t.Errorf("offset(%d:%d) = %d, want %d", c.line, c.char, got, c.off)
		}
	}
	for off, want := range map[int]protocol.Position{0: {Line: 0, Character: 0}, 3: {Line: 1, Character: 0}, 5: {Line: 1, Character: 1}, 9: {Line: 1, Character: 3}, 10: {Line: 1, Character: 4}, 11: {Line: 2, Character: 0}, 16: {Line: 3, Character: 4}, 99: {Line: 3, Character: 4}, -1: {Line: 0, Character: 0}} {
		if got := tx.position(off); got != want {
			t.Errorf("position(%d) = %+v, want %+v", off, got, want)
		}
	}
}

// FuzzPositions: offset and position are inverse on character boundaries,
// and never panic on any bytes or position.
func FuzzPositions(f *testing.F) {
	f.Add([]byte("ab\né😀x\n"), uint32(1), uint32(3))
	f.Add([]byte("\xff\xfe\n\r\n"), uint32(0), uint32(1))
	f.Fuzz(func(t *testing.T, src []byte, line, char uint32) {
		tx := newText(src)
		off := tx.offset(protocol.Position{Line: line, Character: char})
		if off < 0 || off > len(src) {
			t.Fatalf("offset %d outside [0,%d]", off, len(src))
		}
		if utf8.Valid(src) {
			if back := tx.offset(tx.position(off)); back != off {
				t.Fatalf("offset(position(%d)) = %d", off, back)
			}
		}
	})
}
