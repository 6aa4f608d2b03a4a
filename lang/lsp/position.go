package lsp

import (
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	protocol "github.com/tliron/glsp/protocol_3_16"
)

// text is a document's bytes with its line starts. LSP positions count
// UTF-16 code units within a line; HCL ranges carry byte offsets; text
// converts between the two (HCL's own columns count characters, which is
// neither, so they are never used).
type text struct {
	src   []byte
	lines []int // byte offset of each line's start
}

func newText(src []byte) *text {
	t := &text{src: src, lines: []int{0}}
	for i, c := range src {
		if c == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	return t
}

// offset is the byte offset of p, clamped to the document: a line past the
// end is the end, a character past the line's end is the line's end, and a
// position inside a UTF-16 surrogate pair or a UTF-8 sequence rounds down to
// the character's start.
func (t *text) offset(p protocol.Position) int {
	if int(p.Line) >= len(t.lines) {
		return len(t.src)
	}
	off := t.lines[p.Line]
	end := len(t.src)
	if int(p.Line)+1 < len(t.lines) {
		end = t.lines[p.Line+1] - 1 // the '\n'
	}
	units := int(p.Character)
	for off < end && units > 0 {
		r, size := utf8.DecodeRune(t.src[off:end])
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1 // invalid UTF-8 counts as one replacement character
		}
		if n > units {
			break
		}
		units -= n
		off += size
	}
	return off
}

// position is the LSP position of byte offset off (clamped).
func (t *text) position(off int) protocol.Position {
	off = max(0, min(off, len(t.src)))
	line := sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > off }) - 1
	units := 0
	for i := t.lines[line]; i < off; {
		r, size := utf8.DecodeRune(t.src[i:off])
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		units += n
		i += size
	}
	return protocol.Position{Line: protocol.UInteger(line), Character: protocol.UInteger(units)}
}

func (t *text) rangeOf(r hcl.Range) protocol.Range {
	return protocol.Range{Start: t.position(r.Start.Byte), End: t.position(r.End.Byte)}
}

// pathOf turns a file:// URI into a clean local path ("" for other schemes).
func pathOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	p := u.Path
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' { // file:///C:/x on Windows
		p = p[1:]
	}
	return filepath.Clean(filepath.FromSlash(p))
}

// uriOf is the file:// URI of a local path.
func uriOf(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
