package lang

import (
	"bytes"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// chunkSize is the source size parseNative aims for per piece. Pieces much
// smaller than this pay hclsyntax's per-parse set-up; much larger ones bring
// back the token slice growth that chunking avoids (measured on the
// bench/estate estates: docs/performance.md).
const chunkSize = 2 << 10

// parseNative parses a native-syntax configuration file. It gives the same
// *hcl.File as hclsyntax.ParseConfig, but parses a large file in pieces.
//
// Why: hclsyntax lexes a whole file into one slice of tokens (about 100
// bytes each) that grows by appending, so a 100 KB file allocates and copies
// megabytes of tokens before the parser starts; on a 1,000-service estate
// that growth was a quarter of the front end's CPU. Parsing the file one
// run of top-level blocks at a time keeps every token slice small.
//
// A piece ends after a line holding only "}" in the first column: the
// closing brace of a top-level block as `nbac fmt` writes it. Such a line
// can also sit inside a heredoc or a block comment; the piece before it is
// then unterminated and does not parse cleanly. So when any piece has a
// diagnostic, or two pieces set the same top-level argument, the file is
// parsed again whole and hclsyntax's own diagnostics are returned: the
// pieces are only ever used when each one parsed without a word.
func parseNative(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	// A small file is one piece: it still takes fastParse's path.
	if f, ok := parsePieces(src, name, chunkCuts(src, chunkSize)); ok {
		return f, nil
	}
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

// chunkCuts returns the byte offsets at which src is cut into pieces of
// about size, each cut just after a line that is exactly "}" (a trailing
// "\r" or spaces allowed). Nothing is cut when src is under two pieces.
func chunkCuts(src []byte, size int) []int {
	if len(src) < 2*size {
		return nil
	}
	var cuts []int
	last := 0
	for off := 0; off < len(src); {
		nl := bytes.IndexByte(src[off:], '\n')
		if nl < 0 {
			break
		}
		end := off + nl + 1
		if src[off] == '}' && len(bytes.TrimRight(src[off+1:end], " \t\r\n")) == 0 &&
			end-last >= size && len(src)-end >= max(size/2, 1) {
			cuts = append(cuts, end)
			last = end
		}
		off = end
	}
	return cuts
}

// parsePieces parses src cut at cuts and merges the pieces' bodies into
// the body hclsyntax would have built for the whole file. ok is false when
// a piece did not parse cleanly or the pieces cannot be merged.
func parsePieces(src []byte, name string, cuts []int) (*hcl.File, bool) {
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: hclsyntax.Blocks{}}
	start := hcl.InitialPos
	from := 0
	for i := 0; i <= len(cuts); i++ {
		to := len(src)
		if i < len(cuts) {
			to = cuts[i]
		}
		piece := src[from:to]
		pb, ok := fastParse(piece, name, start)
		if !ok {
			f, diags := hclsyntax.ParseConfig(piece, name, start)
			if len(diags) > 0 {
				return nil, false
			}
			pb = f.Body.(*hclsyntax.Body)
		}
		for k, a := range pb.Attributes {
			if _, dup := body.Attributes[k]; dup {
				return nil, false // let hclsyntax report "Attribute redefined"
			}
			body.Attributes[k] = a
		}
		body.Blocks = append(body.Blocks, pb.Blocks...)
		if i == 0 {
			body.SrcRange = pb.SrcRange
		}
		body.SrcRange = hcl.RangeBetween(body.SrcRange, pb.SrcRange)
		body.EndRange = pb.EndRange
		// Every cut follows a newline, so the next piece starts a line.
		start = hcl.Pos{Line: start.Line + bytes.Count(piece, []byte{'\n'}), Column: 1, Byte: to}
		from = to
	}
	return &hcl.File{Body: body, Bytes: src, Nav: newNavigation(body)}, true
}

// navigation names the top-level block around a byte offset for
// diagnostics ("in service \"api\""), as hclsyntax does for the files it
// parses itself: hcl's text writer and nbac's -json snippets ask the file's
// Nav for it. It keeps only each block's range and header, so a file handed
// back for diagnostics does not hold its syntax tree.
type navigation struct {
	blocks []navBlock
}

type navBlock struct {
	rng, def hcl.Range
	header   string
}

func newNavigation(root *hclsyntax.Body) navigation {
	n := navigation{blocks: make([]navBlock, len(root.Blocks))}
	for i, b := range root.Blocks {
		h := b.Type
		for _, l := range b.Labels {
			h += fmt.Sprintf(" %q", l)
		}
		n.blocks[i] = navBlock{rng: b.Range(), def: b.DefRange(), header: h}
	}
	return n
}

func (n navigation) block(offset int) *navBlock {
	for i := range n.blocks {
		if n.blocks[i].rng.ContainsOffset(offset) {
			return &n.blocks[i]
		}
	}
	return nil
}

// ContextString returns the header of the top-level block holding offset,
// e.g. `service "api"`, or "" outside any block.
func (n navigation) ContextString(offset int) string {
	if b := n.block(offset); b != nil {
		return b.header
	}
	return ""
}

// ContextDefRange returns the definition range of the top-level block
// holding offset.
func (n navigation) ContextDefRange(offset int) hcl.Range {
	if b := n.block(offset); b != nil {
		return b.def
	}
	return hcl.Range{}
}

// forDiagnostics returns f as Load hands it back: its bytes and a
// navigation, without the syntax tree. Once the model is lowered nothing
// reads the tree again, and on a large estate it is the largest thing on
// the heap (about 30 MB at N=1,000) while the emitters run.
func forDiagnostics(f *hcl.File) *hcl.File {
	root, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return f // JSON syntax: its own navigation reads the tree
	}
	return &hcl.File{Body: hcl.EmptyBody(), Bytes: f.Bytes, Nav: newNavigation(root)}
}
