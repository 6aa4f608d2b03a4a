package lang

// fastParse builds hclsyntax's syntax tree for one piece of a native-syntax
// file directly from its bytes, for the shapes real configurations use.
//
// Why: hclsyntax's parsing was a third of `nbac build`'s CPU on a
// 1,000-service estate (about 180 ms and 137 MB of allocation for 1.2 MB of
// HCL): its lexer builds a ~100-byte Token per token, counts columns by
// grapheme segmentation of every token, and the parser allocates on top.
// Building the same nodes straight from the bytes skips the tokens
// entirely. BenchmarkParse over that estate's 17 files (-cpu 1, on a
// shared 2-core machine at load 5-7): parseNative went from about 150 ms,
// 142 MB and 784k allocations to about 45 ms, 28 MB and 399k allocations
// (what remains is mostly the syntax tree itself); hclsyntax whole files
// take about 205 ms and 205 MB.
//
// What it accepts: blocks with quoted or identifier labels, nested and
// one-line blocks (`probe "x" { path = "/h" }`); attributes; `#`, `//` and
// `/* */` comments and blank lines; expressions made of numbers, true,
// false, null, quoted strings with the simple escapes (\n \r \t \" \\),
// $${ and %%{, and ${ } interpolations of these expressions; scope
// traversals with attribute steps (a.b.c); function calls without `...`;
// tuples and objects.
//
// It declines (ok=false) as soon as it meets anything else: operators,
// conditionals, unary minus, for expressions, splats, index steps,
// parentheses, heredocs, %{ directives, ~ strip markers, \u escapes, any
// byte outside printable ASCII other than tab and newline (columns count
// grapheme clusters; in ASCII they are byte offsets), carriage returns,
// duplicate attributes and every syntax error. The caller then parses the
// piece with hclsyntax.ParseConfig, so a decline only costs time.
//
// The tree it returns must equal hclsyntax's to the last range: node
// types, slices that are nil where hclsyntax leaves them nil, and every
// hcl.Range. fastparse_test.go checks that against hclsyntax on every
// source in the repository, on generated estates and under fuzzing.

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// fpKind is the kind of a token the fast parser's lexer returns.
type fpKind byte

const (
	fpBad     fpKind = iota // anything the fast path does not handle
	fpEOF                   // end of the piece
	fpNewline               // "\n", or a # or // comment with its "\n"
	fpIdent
	fpNumber
	fpOQuote // "
	fpOBrace
	fpCBrace
	fpOBrack
	fpCBrack
	fpOParen
	fpCParen
	fpComma
	fpEqual
	fpColon
	fpDot
)

// fpState is where the lexer stands: the byte offset and what is needed to
// turn an offset on the current line into an hcl.Pos.
type fpState struct {
	off       int
	line      int
	lineStart int // offset of the current line's first byte
	col0      int // column of the byte at lineStart
}

// fpTok is one token: its kind, its byte span and range, and the lexer
// state after it, so that a peeked token can be taken without scanning it
// again.
type fpTok struct {
	kind       fpKind
	start, end int
	rng        hcl.Range
	after      fpState
}

type fastParser struct {
	src       []byte
	name      string
	startByte int
	fpState
	buf []byte // scratch space for unescaping string literals
}

// fastParse parses src as hclsyntax.ParseConfig(src, name, start) would, or
// returns ok=false when src holds anything outside the supported subset.
func fastParse(src []byte, name string, start hcl.Pos) (body *hclsyntax.Body, ok bool) {
	p := &fastParser{
		src:       src,
		name:      name,
		startByte: start.Byte,
		fpState:   fpState{line: start.Line, col0: start.Column},
	}
	return p.parseTopBody()
}

// plainByte reports whether c may appear in a source the fast path
// accepts: printable ASCII, tab and newline.
func plainByte(c byte) bool {
	return c >= 0x20 && c < 0x7f || c == '\t' || c == '\n'
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '-'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// pos returns the position of offset o, which must be on the current line.
func (p *fastParser) pos(o int) hcl.Pos {
	return hcl.Pos{Line: p.line, Column: p.col0 + o - p.lineStart, Byte: p.startByte + o}
}

func (p *fastParser) rng(from, to hcl.Pos) hcl.Range {
	return hcl.Range{Filename: p.name, Start: from, End: to}
}

// newline moves the state past a "\n" at offset o.
func (s *fpState) newline(o int) {
	s.line++
	s.lineStart = o + 1
	s.col0 = 1
}

// peek scans the next token without taking it. nl says whether newlines
// are tokens here (hclsyntax's newline-sensitive contexts) or are skipped
// like the rest of the white space.
func (p *fastParser) peek(nl bool) fpTok {
	saved := p.fpState
	t := p.scan(nl)
	p.fpState = saved
	return t
}

// take moves past a token that peek returned.
func (p *fastParser) take(t fpTok) { p.fpState = t.after }

// next scans and takes the next token.
func (p *fastParser) next(nl bool) fpTok {
	t := p.scan(nl)
	p.fpState = t.after
	return t
}

func (p *fastParser) scan(nl bool) fpTok {
	src := p.src
	for p.off < len(src) {
		c := src[p.off]
		switch {
		case c == ' ' || c == '\t':
			p.off++
			continue
		case c == '\n':
			if nl {
				t := fpTok{kind: fpNewline, start: p.off, end: p.off + 1}
				from := p.pos(p.off)
				p.newline(p.off)
				p.off++
				t.rng = p.rng(from, p.pos(p.off))
				t.after = p.fpState
				return t
			}
			p.newline(p.off)
			p.off++
			continue
		case c == '#' || c == '/' && p.off+1 < len(src) && src[p.off+1] == '/':
			// A line comment takes its "\n" with it; hclsyntax turns it
			// into a newline token ranging over the whole comment where
			// newlines count.
			s := p.off
			e := s
			for e < len(src) && src[e] != '\n' {
				if !plainByte(src[e]) {
					return fpTok{kind: fpBad}
				}
				e++
			}
			if e == len(src) {
				p.off = e // a comment that ends the piece is only skipped
				continue
			}
			from := p.pos(s)
			p.newline(e)
			p.off = e + 1
			if nl {
				return fpTok{kind: fpNewline, start: s, end: p.off, rng: p.rng(from, p.pos(p.off)), after: p.fpState}
			}
			continue
		case c == '/' && p.off+1 < len(src) && src[p.off+1] == '*':
			end := bytes.Index(src[p.off+2:], []byte("*/"))
			if end < 0 {
				return fpTok{kind: fpBad}
			}
			end += p.off + 4
			for i := p.off + 2; i < end-2; i++ {
				if !plainByte(src[i]) {
					return fpTok{kind: fpBad}
				}
				if src[i] == '\n' {
					p.newline(i)
				}
			}
			p.off = end
			continue
		}
		break
	}
	s := p.off
	if s >= len(src) {
		r := p.pos(s)
		return fpTok{kind: fpEOF, start: s, end: s, rng: p.rng(r, r), after: p.fpState}
	}
	c := src[s]
	e := s + 1
	var k fpKind
	switch {
	case isIdentStart(c):
		for e < len(src) && isIdentByte(src[e]) {
			e++
		}
		k = fpIdent
	case isDigit(c):
		e = scanNumber(src, s)
		k = fpNumber
	case c == '"':
		k = fpOQuote
	case c == '{':
		k = fpOBrace
	case c == '}':
		k = fpCBrace
	case c == '[':
		k = fpOBrack
	case c == ']':
		k = fpCBrack
	case c == '(':
		k = fpOParen
	case c == ')':
		k = fpCParen
	case c == ',':
		k = fpComma
	case c == '=':
		k = fpEqual
		if e < len(src) && (src[e] == '=' || src[e] == '>') {
			k = fpBad // == or =>
		}
	case c == ':':
		k = fpColon
		if e < len(src) && src[e] == ':' {
			k = fpBad // ::
		}
	case c == '.':
		k = fpDot
		if e < len(src) && src[e] == '.' {
			k = fpBad // ... (or a stray second dot)
		}
	default:
		return fpTok{kind: fpBad}
	}
	p.off = e
	return fpTok{kind: k, start: s, end: e, rng: p.rng(p.pos(s), p.pos(e)), after: p.fpState}
}

// scanNumber returns the end of the number literal starting at s, as
// hclsyntax's lexer delimits it: a digit followed by digits, dots and
// exponents ("e", an optional sign, a digit), not ending in a dot. Whether
// the literal is well formed is checked apart.
func scanNumber(src []byte, s int) int {
	e := s + 1
	for e < len(src) {
		c := src[e]
		switch {
		case isDigit(c) || c == '.':
			e++
		case (c == 'e' || c == 'E'):
			n := e + 1
			if n < len(src) && (src[n] == '+' || src[n] == '-') {
				n++
			}
			if n < len(src) && isDigit(src[n]) {
				e = n + 1
				continue
			}
			return trimDots(src, s, e)
		default:
			return trimDots(src, s, e)
		}
	}
	return trimDots(src, s, e)
}

func trimDots(src []byte, s, e int) int {
	for e > s+1 && src[e-1] == '.' {
		e--
	}
	return e
}

// wellFormedNumber reports whether b is digits, an optional fraction and
// an optional exponent: the literals the fast path passes to
// cty.ParseNumberVal as hclsyntax does.
func wellFormedNumber(b []byte) bool {
	i := 0
	digits := func() bool {
		s := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		return i > s
	}
	if !digits() {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(b)
}

// parseTopBody parses the whole piece as hclsyntax's ParseBody(TokenEOF).
func (p *fastParser) parseTopBody() (*hclsyntax.Body, bool) {
	// hclsyntax starts the body's range at the first token it peeks with
	// newlines counting, which may be a newline or a line comment.
	first := p.peek(true)
	if first.kind == fpBad {
		return nil, false
	}
	body, end, ok := p.parseBodyItems(fpEOF)
	if !ok {
		return nil, false
	}
	body.SrcRange = hcl.RangeBetween(first.rng, end)
	body.EndRange = hcl.Range{Filename: end.Filename, Start: end.End, End: end.End}
	return body, true
}

// parseBodyItems parses attributes, blocks and blank lines up to and
// including the end token, and returns the end token's range.
func (p *fastParser) parseBodyItems(end fpKind) (*hclsyntax.Body, hcl.Range, bool) {
	body := &hclsyntax.Body{Attributes: hclsyntax.Attributes{}, Blocks: hclsyntax.Blocks{}}
	for {
		t := p.next(true)
		switch t.kind {
		case end:
			return body, t.rng, true
		case fpNewline:
			continue
		case fpIdent:
		default:
			return nil, hcl.Range{}, false
		}
		n := p.peek(true)
		switch n.kind {
		case fpEqual:
			attr, ok := p.parseAttribute(t, false)
			if !ok {
				return nil, hcl.Range{}, false
			}
			if _, dup := body.Attributes[attr.Name]; dup {
				return nil, hcl.Range{}, false
			}
			body.Attributes[attr.Name] = attr
		case fpOQuote, fpOBrace, fpIdent:
			blk, ok := p.parseBlock(t)
			if !ok {
				return nil, hcl.Range{}, false
			}
			body.Blocks = append(body.Blocks, blk)
		default:
			return nil, hcl.Range{}, false
		}
	}
}

// parseAttribute parses `= expr` after the name; unless singleLine (the
// one attribute of a one-line block) it also takes the newline after it.
func (p *fastParser) parseAttribute(name fpTok, singleLine bool) (*hclsyntax.Attribute, bool) {
	eq := p.next(true)
	expr, last, ok := p.parseExpr(true)
	if !ok {
		return nil, false
	}
	if !singleLine {
		switch t := p.peek(true); t.kind {
		case fpNewline:
			p.take(t)
		case fpEOF:
		default:
			return nil, false
		}
	}
	return &hclsyntax.Attribute{
		Name:        string(p.src[name.start:name.end]),
		Expr:        expr,
		SrcRange:    hcl.RangeBetween(name.rng, last),
		NameRange:   name.rng,
		EqualsRange: eq.rng,
	}, true
}

func (p *fastParser) parseBlock(typ fpTok) (*hclsyntax.Block, bool) {
	var labels []string
	var labelRanges []hcl.Range
	var open fpTok
header:
	for {
		t := p.next(true)
		switch t.kind {
		case fpOBrace:
			open = t
			break header
		case fpOQuote:
			s, r, ok := p.parseLabelString(t)
			if !ok {
				return nil, false
			}
			labels = append(labels, s)
			labelRanges = append(labelRanges, r)
		case fpIdent:
			labels = append(labels, string(p.src[t.start:t.end]))
			labelRanges = append(labelRanges, t.rng)
		default:
			return nil, false
		}
	}
	var body *hclsyntax.Body
	var closeRange hcl.Range
	switch t := p.peek(true); t.kind {
	case fpNewline, fpCBrace:
		b, end, ok := p.parseBodyItems(fpCBrace)
		if !ok {
			return nil, false
		}
		b.SrcRange = hcl.RangeBetween(open.rng, end)
		b.EndRange = hcl.Range{Filename: end.Filename, Start: end.End, End: end.End}
		body, closeRange = b, end
	case fpIdent:
		// A one-line block: exactly one attribute, then "}".
		p.take(t)
		if p.peek(true).kind != fpEqual {
			return nil, false
		}
		attr, ok := p.parseAttribute(t, true)
		if !ok {
			return nil, false
		}
		c := p.next(true)
		if c.kind != fpCBrace {
			return nil, false
		}
		body = &hclsyntax.Body{
			Attributes: hclsyntax.Attributes{attr.Name: attr},
			SrcRange:   attr.SrcRange,
			EndRange:   hcl.Range{Filename: attr.SrcRange.Filename, Start: attr.SrcRange.End, End: attr.SrcRange.End},
		}
		closeRange = c.rng
	default:
		return nil, false
	}
	switch t := p.peek(true); t.kind {
	case fpNewline:
		p.take(t)
	case fpEOF:
	default:
		return nil, false
	}
	return &hclsyntax.Block{
		Type:            string(p.src[typ.start:typ.end]),
		Labels:          labels,
		Body:            body,
		TypeRange:       typ.rng,
		LabelRanges:     labelRanges,
		OpenBraceRange:  open.rng,
		CloseBraceRange: closeRange,
	}, true
}

// parseExpr parses one expression and returns it with the range of its
// last token. It declines on whatever could continue the expression in
// hclsyntax (an operator, "?", an index or attribute step on a
// non-traversal), because the callers accept only the few tokens that end
// an expression in their context.
func (p *fastParser) parseExpr(nl bool) (hclsyntax.Expression, hcl.Range, bool) {
	t := p.next(nl)
	var expr hclsyntax.Expression
	var last hcl.Range
	switch t.kind {
	case fpNumber:
		b := p.src[t.start:t.end]
		if !wellFormedNumber(b) {
			return nil, last, false
		}
		v, err := cty.ParseNumberVal(string(b))
		if err != nil {
			return nil, last, false
		}
		expr, last = &hclsyntax.LiteralValueExpr{Val: v, SrcRange: t.rng}, t.rng
	case fpIdent:
		n := p.peek(nl)
		if n.kind == fpOParen {
			p.take(n)
			var ok bool
			expr, last, ok = p.parseCall(t, n)
			if !ok {
				return nil, last, false
			}
			break
		}
		switch name := string(p.src[t.start:t.end]); name {
		case "true":
			expr = &hclsyntax.LiteralValueExpr{Val: cty.True, SrcRange: t.rng}
		case "false":
			expr = &hclsyntax.LiteralValueExpr{Val: cty.False, SrcRange: t.rng}
		case "null":
			expr = &hclsyntax.LiteralValueExpr{Val: cty.NullVal(cty.DynamicPseudoType), SrcRange: t.rng}
		default:
			return p.parseTraversal(t, name, nl)
		}
		last = t.rng
	case fpOQuote:
		var ok bool
		expr, last, ok = p.parseTemplate(t)
		if !ok {
			return nil, last, false
		}
	case fpOBrack:
		var ok bool
		expr, last, ok = p.parseTuple(t)
		if !ok {
			return nil, last, false
		}
	case fpOBrace:
		var ok bool
		expr, last, ok = p.parseObject(t)
		if !ok {
			return nil, last, false
		}
	default:
		return nil, last, false
	}
	if !p.endsTerm(nl) {
		return nil, last, false
	}
	return expr, last, true
}

// endsTerm reports whether the next token leaves the term just parsed as
// it is: a "." or "[" would make hclsyntax wrap it in a traversal.
func (p *fastParser) endsTerm(nl bool) bool {
	k := p.peek(nl).kind
	return k != fpDot && k != fpOBrack && k != fpBad
}

func (p *fastParser) parseTraversal(root fpTok, name string, nl bool) (hclsyntax.Expression, hcl.Range, bool) {
	// Room for the usual few steps (var.sizes.medium.cpu) at once rather
	// than growing the slice step by step.
	trav := make(hcl.Traversal, 1, 4)
	trav[0] = hcl.TraverseRoot{Name: name, SrcRange: root.rng}
	last := root.rng
	for {
		dot := p.peek(nl)
		if dot.kind != fpDot {
			break
		}
		p.take(dot)
		attr := p.next(nl)
		if attr.kind != fpIdent {
			return nil, last, false
		}
		trav = append(trav, hcl.TraverseAttr{
			Name:     string(p.src[attr.start:attr.end]),
			SrcRange: hcl.RangeBetween(dot.rng, attr.rng),
		})
		last = attr.rng
	}
	if !p.endsTerm(nl) {
		return nil, last, false
	}
	return &hclsyntax.ScopeTraversalExpr{Traversal: trav, SrcRange: hcl.RangeBetween(root.rng, last)}, last, true
}

// parseCall parses a function call's arguments after its "(".
func (p *fastParser) parseCall(name, open fpTok) (hclsyntax.Expression, hcl.Range, bool) {
	args, closeTok, ok := p.parseList(fpCParen)
	if !ok {
		return nil, hcl.Range{}, false
	}
	return &hclsyntax.FunctionCallExpr{
		Name:            string(p.src[name.start:name.end]),
		Args:            args,
		NameRange:       name.rng,
		OpenParenRange:  open.rng,
		CloseParenRange: closeTok.rng,
	}, closeTok.rng, true
}

// parseList parses comma-separated expressions (a trailing comma allowed,
// newlines ignored) up to and including the closing token of kind end:
// a call's arguments or a tuple's elements.
func (p *fastParser) parseList(end fpKind) ([]hclsyntax.Expression, fpTok, bool) {
	var exprs []hclsyntax.Expression
	for {
		if t := p.peek(false); t.kind == end {
			p.take(t)
			return exprs, t, true
		}
		e, _, ok := p.parseExpr(false)
		if !ok {
			return nil, fpTok{}, false
		}
		exprs = append(exprs, e)
		sep := p.next(false)
		if sep.kind == end {
			return exprs, sep, true
		}
		if sep.kind != fpComma {
			return nil, fpTok{}, false
		}
	}
}

// startsFor reports whether the next token, newlines skipped, is the
// keyword that would make a bracket or brace a for expression.
func (p *fastParser) startsFor() bool {
	t := p.peek(false)
	return t.kind == fpIdent && string(p.src[t.start:t.end]) == "for"
}

func (p *fastParser) parseTuple(open fpTok) (hclsyntax.Expression, hcl.Range, bool) {
	if p.startsFor() {
		return nil, hcl.Range{}, false
	}
	exprs, closeTok, ok := p.parseList(fpCBrack)
	if !ok {
		return nil, hcl.Range{}, false
	}
	return &hclsyntax.TupleConsExpr{
		Exprs:     exprs,
		SrcRange:  hcl.RangeBetween(open.rng, closeTok.rng),
		OpenRange: open.rng,
	}, closeTok.rng, true
}

func (p *fastParser) parseObject(open fpTok) (hclsyntax.Expression, hcl.Range, bool) {
	if p.startsFor() {
		return nil, hcl.Range{}, false
	}
	var items []hclsyntax.ObjectConsItem
	var closeTok fpTok
	for {
		t := p.peek(true)
		if t.kind == fpNewline {
			p.take(t)
			continue
		}
		if t.kind == fpCBrace {
			p.take(t)
			closeTok = t
			break
		}
		key, _, ok := p.parseExpr(true)
		if !ok {
			return nil, hcl.Range{}, false
		}
		if eq := p.next(true); eq.kind != fpEqual && eq.kind != fpColon {
			return nil, hcl.Range{}, false
		}
		val, _, ok := p.parseExpr(true)
		if !ok {
			return nil, hcl.Range{}, false
		}
		items = append(items, hclsyntax.ObjectConsItem{
			KeyExpr:   &hclsyntax.ObjectConsKeyExpr{Wrapped: key},
			ValueExpr: val,
		})
		sep := p.next(true)
		if sep.kind == fpCBrace {
			closeTok = sep
			break
		}
		if sep.kind != fpComma && sep.kind != fpNewline {
			return nil, hcl.Range{}, false
		}
	}
	return &hclsyntax.ObjectConsExpr{
		Items:     items,
		SrcRange:  hcl.RangeBetween(open.rng, closeTok.rng),
		OpenRange: open.rng,
	}, closeTok.rng, true
}

// parseLabelString parses a quoted block label after its opening quote: a
// string without interpolations.
func (p *fastParser) parseLabelString(open fpTok) (string, hcl.Range, bool) {
	var buf []byte
	for {
		c, lit, n, ok := p.stringByte(p.off)
		if !ok {
			return "", hcl.Range{}, false
		}
		switch c {
		case '"':
			close := p.rng(p.pos(p.off), p.pos(p.off+1))
			p.off++
			return string(buf), hcl.RangeBetween(open.rng, close), true
		case '$':
			return "", hcl.Range{}, false // an interpolation
		}
		buf = append(buf, lit...)
		p.off += n
	}
}

// stringByte classifies the quoted-string content at offset o. c is '"'
// for the closing quote, '$' for an interpolation's "${" and 0 for literal
// text, which is lit (unescaped) and n source bytes long. ok is false for
// what the fast path does not take: newlines, the end of the piece,
// directives, strip markers, \u escapes and unknown escapes.
func (p *fastParser) stringByte(o int) (c byte, lit []byte, n int, ok bool) {
	src := p.src
	if o >= len(src) {
		return 0, nil, 0, false
	}
	switch b := src[o]; b {
	case '"':
		return '"', nil, 1, true
	case '\\':
		if o+1 >= len(src) {
			return 0, nil, 0, false
		}
		switch src[o+1] {
		case 'n':
			return 0, []byte{'\n'}, 2, true
		case 'r':
			return 0, []byte{'\r'}, 2, true
		case 't':
			return 0, []byte{'\t'}, 2, true
		case '"':
			return 0, []byte{'"'}, 2, true
		case '\\':
			return 0, []byte{'\\'}, 2, true
		}
		return 0, nil, 0, false
	case '$', '%':
		if o+2 < len(src) && src[o+1] == b && src[o+2] == '{' {
			return 0, src[o+1 : o+3], 3, true // $${ or %%{: the sequence, escaped
		}
		if o+1 < len(src) && src[o+1] == '{' {
			if b == '%' || o+2 < len(src) && src[o+2] == '~' {
				return 0, nil, 0, false
			}
			return '$', nil, 2, true
		}
		return 0, src[o : o+1], 1, true
	default:
		if b == '\n' || !plainByte(b) {
			return 0, nil, 0, false
		}
		return 0, src[o : o+1], 1, true
	}
}

// parseTemplate parses a quoted template after its opening quote. Like
// hclsyntax it returns a TemplateWrapExpr for a lone interpolation and a
// TemplateExpr otherwise, with each run of literal text (escapes
// included) one LiteralValueExpr part.
func (p *fastParser) parseTemplate(open fpTok) (hclsyntax.Expression, hcl.Range, bool) {
	var parts []hclsyntax.Expression
	buf := p.buf[:0]
	litStart := -1
	escaped := false // whether the literal differs from its source bytes
	var litFrom hcl.Pos
	interps := 0
	flush := func() {
		if litStart >= 0 {
			var s string
			if escaped {
				s = string(buf)
			} else {
				s = string(p.src[litStart:p.off])
			}
			parts = append(parts, &hclsyntax.LiteralValueExpr{
				Val:      cty.StringVal(s),
				SrcRange: p.rng(litFrom, p.pos(p.off)),
			})
			buf = buf[:0]
			litStart = -1
			escaped = false
		}
	}
	// An interpolation may hold a template of its own that borrows p.buf
	// too; that is safe because flush empties buf before every
	// interpolation.
	defer func() { p.buf = buf }()
	for {
		c, lit, n, ok := p.stringByte(p.off)
		if !ok {
			return nil, hcl.Range{}, false
		}
		switch c {
		case '"':
			flush()
			closeRng := p.rng(p.pos(p.off), p.pos(p.off+1))
			p.off++
			rng := hcl.RangeBetween(open.rng, closeRng)
			if len(parts) == 1 && interps == 1 {
				return &hclsyntax.TemplateWrapExpr{Wrapped: parts[0], SrcRange: rng}, closeRng, true
			}
			if len(parts) == 0 {
				// hclsyntax puts the empty string just after the
				// closing quote.
				parts = append(parts, &hclsyntax.LiteralValueExpr{
					Val:      cty.StringVal(""),
					SrcRange: hcl.Range{Filename: p.name, Start: closeRng.End, End: closeRng.End},
				})
			}
			return &hclsyntax.TemplateExpr{Parts: parts, SrcRange: rng}, closeRng, true
		case '$':
			flush()
			p.off += 2
			e, _, ok := p.parseExpr(false)
			if !ok {
				return nil, hcl.Range{}, false
			}
			if t := p.next(false); t.kind != fpCBrace {
				return nil, hcl.Range{}, false
			}
			parts = append(parts, e)
			interps++
		default:
			if litStart < 0 {
				litStart = p.off
				litFrom = p.pos(p.off)
			}
			buf = append(buf, lit...)
			escaped = escaped || n != 1
			p.off += n
		}
	}
}
