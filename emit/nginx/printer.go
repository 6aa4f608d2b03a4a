package nginx

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"

	"github.com/nbac/nbac/emit/lbconf"
	"strings"
)

type argKind uint8

const (
	// word is any value: printed bare, or refused.
	word argKind = iota
	// text is a compiler-built value that may need double quotes (spaces
	// or ';', as in an HSTS header); still refused outside lbconf.Quotable.
	text
	// variable is one Nginx variable ($host, $cookie_NAME); it must
	// match variableRe, so a name cannot smuggle in a second variable.
	variable
	// expr is a compiler-built argument mixing literal text and
	// variables (the redirect URL); it must match exprRe and never holds
	// user text (only an integer port).
	expr
	// fixed is a constant of this package (the parts of the Host check's
	// `if`): printed as is, and only if it is one of fixedTexts, so no
	// value can take this path.
	fixed
)

type arg struct {
	s    string
	kind argKind
}

// w is a value argument; wi an integer; txt a compiler-built text that may
// be quoted; v one Nginx variable;
// x an expression of literal text and variables.
func w(s string) arg   { return arg{s: s} }
func wi(n int) arg     { return arg{s: strconv.Itoa(n)} }
func x(s string) arg   { return arg{s: s, kind: expr} }
func txt(s string) arg { return arg{s: s, kind: text} }
func v(s string) arg   { return arg{s: s, kind: variable} }
func ws(ss ...string) []arg {
	out := make([]arg, len(ss))
	for i, s := range ss {
		out[i] = w(s)
	}
	return out
}

// directive is `name args;` or, with a block, `name args { ... }`.
type directive struct {
	name    string
	args    []arg
	isBlock bool
	block   []*directive
}

// block is a list of directives that a builder appends to.
type block struct{ ds *[]*directive }

func (b block) add(name string, args ...arg) {
	*b.ds = append(*b.ds, &directive{name: name, args: args})
}

// addw adds a directive whose arguments are all plain words.
func (b block) addw(name string, args ...string) { b.add(name, ws(args...)...) }

// open adds `name args { }` and returns its body.
func (b block) open(name string, args ...arg) block {
	d := &directive{name: name, args: args, isBlock: true}
	*b.ds = append(*b.ds, d)
	return block{&d.block}
}

// Words (lbconf.Word) never include '$', so only these two kinds can
// reference an Nginx variable.
var (
	variableRe = regexp.MustCompile(`^\$[A-Za-z_][A-Za-z0-9_]*$`)
	exprRe     = regexp.MustCompile(`^([A-Za-z0-9:/._=-]|\$[A-Za-z_][A-Za-z0-9_]*)+$`)
)

// quote renders one argument, or refuses it. It is the only place a value
// becomes configuration text.
func quote(a arg) (string, error) {
	switch a.kind {
	case variable:
		if variableRe.MatchString(a.s) {
			return a.s, nil
		}
	case expr:
		if exprRe.MatchString(a.s) {
			return a.s, nil
		}
	case fixed:
		if fixedTexts[a.s] {
			return a.s, nil
		}
	case word:
		if a.s != "" && lbconf.Word.All(a.s) {
			return a.s, nil
		}
	case text:
		if a.s != "" && lbconf.Word.All(a.s) {
			return a.s, nil
		}
		if lbconf.Quotable.All(a.s) {
			return `"` + a.s + `"`, nil
		}
	}
	return "", fmt.Errorf("refusing to print %q: not a safe Nginx argument", a.s)
}

// conf is one configuration file.
type conf struct {
	header []string
	top    []*directive
}

func (c *conf) root() block { return block{&c.top} }

func (c *conf) render() ([]byte, error) {
	var b bytes.Buffer
	for _, h := range c.header {
		if !lbconf.Printable.All(h) {
			return nil, fmt.Errorf("refusing to print comment %q", h)
		}
		b.WriteString("# " + h + "\n")
	}
	if err := writeBlock(&b, c.top, ""); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeBlock(b *bytes.Buffer, ds []*directive, indent string) error {
	for _, d := range ds {
		// An empty name is a map entry: `key value;`.
		if d.name != "" && !isName(d.name) || d.name == "" && (d.isBlock || len(d.args) == 0) {
			return fmt.Errorf("refusing to print directive name %q", d.name)
		}
		if d.isBlock && indent == "" {
			b.WriteString("\n")
		}
		words := make([]string, 0, len(d.args)+1)
		if d.name != "" {
			words = append(words, d.name)
		}
		for _, a := range d.args {
			q, err := quote(a)
			if err != nil {
				return err
			}
			words = append(words, q)
		}
		b.WriteString(indent + strings.Join(words, " "))
		if !d.isBlock {
			b.WriteString(";\n")
			continue
		}
		b.WriteString(" {\n")
		if err := writeBlock(b, d.block, indent+"    "); err != nil {
			return err
		}
		b.WriteString(indent + "}\n")
	}
	return nil
}

// isName reports whether s is a directive or keyword name: a lower-case
// letter, then lower-case letters, digits, '.', '_' or '-'.
func isName(s string) bool {
	return s != "" && s[0] >= 'a' && s[0] <= 'z' && lbconf.Keyword.All(s)
}
