package nginx

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tufanbarisyildirim/gonginx/config"
	"github.com/tufanbarisyildirim/gonginx/parser"
)

// source is one file parsed.
type source struct {
	file  string
	lines []string
	root  *config.Block
}

var errLineRe = regexp.MustCompile(`line (\d+)`)

// parse reads src; a syntax error comes back with its line (the last line
// when gonginx does not say, as for an unclosed block).
func parse(file string, src []byte) (*source, int, error) {
	lines := strings.Split(string(src), "\n")
	p := parser.NewStringParser(string(src), parser.WithSkipValidDirectivesErr())
	c, err := parseSafely(p)
	if err != nil {
		line := len(lines)
		if line > 1 && lines[line-1] == "" {
			line-- // the text after the final newline is not a line
		}
		if m := errLineRe.FindStringSubmatch(err.Error()); m != nil {
			if n, e := strconv.Atoi(m[1]); e == nil && n >= 1 && n <= len(lines) {
				line = n
			}
		}
		return nil, line, err
	}
	return &source{file: file, lines: lines, root: c.Block}, 0, nil
}

// parseSafely turns a panic inside the parser into an error: hostile input
// must never crash the command.
func parseSafely(p *parser.Parser) (c *config.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{r}
		}
	}()
	return p.Parse()
}

type panicError struct{ v any }

func (e *panicError) Error() string { return "the nginx parser failed on this input" }

// line is where d starts in the source. gonginx records a block directive
// at its closing brace, so for a block the opening line is searched
// upwards from its first child (or that brace) for a line starting with
// the directive's name.
func (s *source) line(d config.IDirective) int {
	if d.GetBlock() == nil {
		return d.GetLine()
	}
	hi := d.GetLine()
	if kids := d.GetBlock().GetDirectives(); len(kids) > 0 {
		hi = min(hi, s.line(kids[0]))
	}
	name := d.GetName()
	for n := hi; n >= 1; n-- {
		if n > len(s.lines) {
			continue
		}
		t := strings.TrimLeft(s.lines[n-1], " \t")
		if strings.HasPrefix(t, name) && (len(t) == len(name) || strings.ContainsRune(" \t{", rune(t[len(name)]))) {
			return n
		}
	}
	return d.GetLine()
}

// params returns d's parameters unquoted; variable reports whether one
// holds a `$` (an Nginx variable, which nbac never takes from a source).
func params(d config.IDirective) (out []string, variable bool) {
	for _, p := range d.GetParameters() {
		v := p.Value
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = strings.NewReplacer(`\`+v[:1], v[:1], `\\`, `\`).Replace(v[1 : len(v)-1])
		}
		variable = variable || strings.Contains(v, "$")
		out = append(out, v)
	}
	return out, variable
}

func children(d config.IDirective) []config.IDirective {
	if b := d.GetBlock(); b != nil {
		return b.GetDirectives()
	}
	return nil
}
