package haproxy

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/nbac/nbac/emit/lbconf"
)

// argKind says how the printer treats an argument.
type argKind uint8

const (
	// word is any value: printed bare, or refused.
	word argKind = iota
	// text is a compiler-built value that may need single quotes (spaces
	// or ';', as in an HSTS header); still refused outside lbconf.Quotable.
	text
	// syntax is a structural token the compiler writes: only "{" and "}"
	// (anonymous ACL braces) and "||" (or between two of them) exist.
	syntax
	// sample is a compiler-built string holding %[...] sample fetches; it
	// never contains user text (only integers), and must match sampleRe.
	sample
	// fixed is a constant of this package (a regular expression, a
	// sample expression with '$'): printed single-quoted, and only if it
	// is one of fixedTexts, so no value can take this path.
	fixed
)

type arg struct {
	s    string
	kind argKind
}

// w is a value argument.
func w(s string) arg { return arg{s: s} }

// wi is an integer argument.
func wi(n int) arg { return arg{s: fmt.Sprint(n)} }

var (
	openBrace  = arg{s: "{", kind: syntax}
	closeBrace = arg{s: "}", kind: syntax}
	or         = arg{s: "||", kind: syntax}
)

// cond is an anonymous ACL: `{ fetch [args] }`.
func cond(parts ...string) []arg {
	out := []arg{openBrace}
	for _, p := range parts {
		out = append(out, w(p))
	}
	return append(out, closeBrace)
}

// line is one directive inside a section.
type line struct {
	kw   string
	args []arg
}

// section is global, defaults, frontend NAME or backend NAME.
type section struct {
	kw    string
	name  string
	lines []line
}

func (s *section) add(kw string, args ...arg) { s.lines = append(s.lines, line{kw, args}) }

// addw adds a directive whose arguments are all plain words.
func (s *section) addw(kw string, args ...string) {
	as := make([]arg, len(args))
	for i, a := range args {
		as[i] = w(a)
	}
	s.add(kw, as...)
}

// config is one configuration file.
type config struct {
	header   []string
	sections []*section
}

func (c *config) section(kw, name string) *section {
	s := &section{kw: kw, name: name}
	c.sections = append(c.sections, s)
	return s
}

// sampleRe is the grammar of compiler-built strings with sample fetches:
// literal URL bytes and %[fetch,converter(args)] groups, nothing else. Words
// (lbconf.Word) never include '%', so only this kind can hold a sample.
var sampleRe = regexp.MustCompile(`^([A-Za-z0-9:/._-]|%\[[a-z0-9_.(),:]+\])+$`)

// quote renders one argument, or refuses it. It is the only place a value
// becomes configuration text.
func quote(a arg) (string, error) {
	switch a.kind {
	case syntax:
		if a.s == "{" || a.s == "}" || a.s == "||" {
			return a.s, nil
		}
	case sample:
		if sampleRe.MatchString(a.s) {
			return a.s, nil
		}
	case word:
		if a.s != "" && lbconf.Word.All(a.s) {
			return a.s, nil
		}
	case fixed:
		if fixedTexts[a.s] {
			return "'" + a.s + "'", nil
		}
	case text:
		if a.s != "" && lbconf.Word.All(a.s) {
			return a.s, nil
		}
		if lbconf.Quotable.All(a.s) {
			return "'" + a.s + "'", nil
		}
	}
	return "", fmt.Errorf("refusing to print %q: not a safe HAProxy argument", a.s)
}

// render prints c with one directive per line, sections flush left and
// their lines indented by four spaces.
func (c *config) render() ([]byte, error) {
	var b bytes.Buffer
	for _, h := range c.header {
		if !lbconf.Printable.All(h) {
			return nil, fmt.Errorf("refusing to print comment %q", h)
		}
		b.WriteString("# " + h + "\n")
	}
	for _, s := range c.sections {
		b.WriteString("\n")
		if err := writeLine(&b, "", s.kw, nameArgs(s.name)); err != nil {
			return nil, err
		}
		for _, l := range s.lines {
			if err := writeLine(&b, "    ", l.kw, l.args); err != nil {
				return nil, err
			}
		}
	}
	return b.Bytes(), nil
}

func nameArgs(name string) []arg {
	if name == "" {
		return nil
	}
	return []arg{w(name)}
}

func writeLine(b *bytes.Buffer, indent, kw string, args []arg) error {
	if !isName(kw) {
		return fmt.Errorf("refusing to print keyword %q", kw)
	}
	b.WriteString(indent + kw)
	for _, a := range args {
		q, err := quote(a)
		if err != nil {
			return err
		}
		b.WriteString(" " + q)
	}
	b.WriteString("\n")
	return nil
}

// isName reports whether s is a directive or keyword name: a lower-case
// letter, then lower-case letters, digits, '.', '_' or '-'.
func isName(s string) bool {
	return s != "" && s[0] >= 'a' && s[0] <= 'z' && lbconf.Keyword.All(s)
}
