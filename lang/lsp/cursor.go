package lsp

import (
	"bytes"
	"regexp"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// cursor is where in the language a byte offset is, worked out from the
// tokens before it alone, so that it holds in a half-typed buffer that
// does not parse.
type cursor struct {
	blocks   []string // enclosing block types, outermost first
	attr     string   // the attribute whose value is being written; "" at a key
	inExpr   bool     // inside an attribute's value
	inString bool     // inside a quoted string
	prefix   string   // the identifier being typed
	traverse []string // "ROOT." being typed before the prefix: ROOT
	// inDynamic: directly in a `dynamic` block, whose own arguments are
	// for_each, iterator, labels and content.
	inDynamic bool
}

// blockFrame is the frame a block header opens. `dynamic "probe" {
// content { ... } }` generates probe blocks: inside content, the schema is
// probe's.
func blockFrame(header hclsyntax.Tokens, stack []frame) frame {
	typ := string(header[0].Bytes)
	if typ == "dynamic" {
		for _, t := range header[1:] {
			if t.Type == hclsyntax.TokenQuotedLit || t.Type == hclsyntax.TokenIdent {
				return frame{block: true, typ: string(t.Bytes), dynamic: true}
			}
		}
	}
	if typ == "content" && len(stack) > 0 && stack[len(stack)-1].dynamic {
		return frame{block: true, content: true}
	}
	return frame{block: true, typ: typ}
}

type frame struct {
	block bool
	typ   string
	// dynamic marks a `dynamic "TYPE"` block (typ is TYPE), content the
	// `content` block inside one: the block it generates.
	dynamic, content bool
}

var (
	identTail    = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_-]*$`)
	traverseTail = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z0-9_-]*)$`)
)

// cursorAt analyses src[:off].
func cursorAt(src []byte, off int) cursor {
	off = max(0, min(off, len(src)))
	before := src[:off]
	toks, _ := hclsyntax.LexConfig(before, "", hcl.InitialPos)
	var stack []frame
	var line hclsyntax.Tokens
	inBlock := func() bool { return len(stack) == 0 || stack[len(stack)-1].block }
	for _, t := range toks {
		switch t.Type {
		case hclsyntax.TokenEOF:
		case hclsyntax.TokenComment:
			// A line comment holds its newline; a /* */ one is skipped.
			if bytes.HasSuffix(t.Bytes, []byte("\n")) && inBlock() {
				line = nil
			}
		case hclsyntax.TokenNewline:
			if inBlock() {
				line = nil
			}
		case hclsyntax.TokenOBrace:
			if inBlock() && isBlockHeader(line) {
				stack = append(stack, blockFrame(line, stack))
				line = nil
			} else {
				stack = append(stack, frame{})
				line = append(line, t)
			}
		case hclsyntax.TokenOBrack, hclsyntax.TokenOParen, hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			stack = append(stack, frame{})
			line = append(line, t)
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen, hclsyntax.TokenTemplateSeqEnd:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top.block {
					line = nil
					continue
				}
			}
			line = append(line, t)
		default:
			line = append(line, t)
		}
	}
	var c cursor
	for _, f := range stack {
		switch {
		case f.content:
		case f.block:
			c.blocks = append(c.blocks, f.typ)
		default:
			c.inExpr = true
		}
	}
	c.inDynamic = len(stack) > 0 && stack[len(stack)-1].dynamic
	for i, t := range line {
		if t.Type == hclsyntax.TokenEqual && i > 0 && line[0].Type == hclsyntax.TokenIdent {
			c.attr = string(line[0].Bytes)
			c.inExpr = true
			break
		}
	}
	if n := len(line); n > 0 {
		last := line[n-1].Type
		c.inString = last == hclsyntax.TokenOQuote || (last == hclsyntax.TokenQuotedLit && n > 1 && line[n-2].Type == hclsyntax.TokenOQuote && hasOpenQuote(line))
	}
	if m := traverseTail.FindSubmatch(before); m != nil && c.inExpr {
		c.traverse = []string{string(m[1])}
		c.prefix = string(m[2])
	} else if m := identTail.Find(before); m != nil {
		c.prefix = string(m)
	}
	return c
}

// hasOpenQuote says whether line ends inside a quoted string.
func hasOpenQuote(line hclsyntax.Tokens) bool {
	open := false
	for _, t := range line {
		switch t.Type {
		case hclsyntax.TokenOQuote:
			open = true
		case hclsyntax.TokenCQuote:
			open = false
		}
	}
	return open
}

// isBlockHeader: IDENT followed by labels (quoted strings or identifiers)
// only, as before a block's "{".
func isBlockHeader(line hclsyntax.Tokens) bool {
	if len(line) == 0 || line[0].Type != hclsyntax.TokenIdent {
		return false
	}
	for _, t := range line[1:] {
		switch t.Type {
		case hclsyntax.TokenOQuote, hclsyntax.TokenQuotedLit, hclsyntax.TokenCQuote, hclsyntax.TokenIdent:
		default:
			return false
		}
	}
	return true
}

// wordAt is the identifier around off and where it starts.
func wordAt(src []byte, off int) (string, int) {
	off = max(0, min(off, len(src)))
	isWord := func(c byte) bool {
		return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	start, end := off, off
	for start > 0 && isWord(src[start-1]) {
		start--
	}
	for end < len(src) && isWord(src[end]) {
		end++
	}
	return string(src[start:end]), start
}
