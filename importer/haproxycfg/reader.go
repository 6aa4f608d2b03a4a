package haproxycfg

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// sectionKeywords open a section; every other line belongs to the last one.
var sectionKeywords = map[string]bool{
	"global": true, "defaults": true, "frontend": true, "backend": true, "listen": true,
	"peers": true, "resolvers": true, "userlist": true, "mailers": true, "program": true,
	"http-errors": true, "ring": true, "cache": true, "fcgi-app": true, "log-forward": true,
	"crt-store": true, "traces": true,
}

// IsSection reports whether keyword opens a section.
func IsSection(keyword string) bool { return sectionKeywords[keyword] }

// Config is one file read.
type Config struct {
	Sections []*Section
}

// Section is a `KIND [NAME] [ARGS...]` header and the lines under it.
type Section struct {
	Kind  string // "frontend"
	Name  string // "" when the header has none (global, defaults)
	Args  []Arg  // the header's words after the name (e.g. `defaults web from base`)
	Line  int
	Lines []*Line
}

// Line is one directive: its words, the first being the keyword.
type Line struct {
	Num  int
	Args []Arg
}

// Keyword is the line's first word.
func (l *Line) Keyword() string { return l.Args[0].Text }

// Words returns the text of every word, keyword included.
func (l *Line) Words() []string {
	out := make([]string, len(l.Args))
	for i, a := range l.Args {
		out[i] = a.Text
	}
	return out
}

// Arg is one word after quotes and escapes are resolved.
type Arg struct {
	Text   string
	Col    int  // 1-based byte column where the word starts
	Quoted bool // some part was quoted or escaped
	Env    bool // it refers to an environment variable (left unexpanded)
}

// Error is a located syntax error.
type Error struct {
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg) }

// Parse reads a whole file. It returns the first syntax error, located.
func Parse(src []byte) (*Config, error) {
	c := &Config{}
	var cur *Section
	for i, raw := range strings.Split(string(src), "\n") {
		num := i + 1
		raw = strings.TrimSuffix(raw, "\r")
		args, err := SplitLine(raw)
		if err != nil {
			err.Line = num
			return nil, err
		}
		if len(args) == 0 {
			continue
		}
		if kw := args[0].Text; sectionKeywords[kw] && !args[0].Quoted {
			cur = &Section{Kind: kw, Line: num}
			if len(args) > 1 {
				cur.Name = args[1].Text
				cur.Args = args[2:]
			}
			c.Sections = append(c.Sections, cur)
			continue
		}
		if cur == nil {
			return nil, &Error{Line: num, Col: args[0].Col, Msg: fmt.Sprintf("%q outside any section (a file starts with global, defaults, frontend, backend or listen)", args[0].Text)}
		}
		cur.Lines = append(cur.Lines, &Line{Num: num, Args: args})
	}
	return c, nil
}

// SplitLine splits one line into words. The returned error has Line 0 and
// the column of the problem.
func SplitLine(line string) ([]Arg, *Error) {
	if !utf8.ValidString(line) {
		return nil, &Error{Col: invalidAt(line) + 1, Msg: "invalid UTF-8"}
	}
	var args []Arg
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i >= len(line) || line[i] == '#' {
			return args, nil
		}
		a, next, err := word(line, i)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		i = next
	}
}

// word reads the word starting at start and returns it with the index just
// after it.
func word(line string, start int) (Arg, int, *Error) {
	a := Arg{Col: start + 1}
	var b strings.Builder
	i := start
	quote := byte(0) // the open quote, if any
	qstart := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == 0:
			return a, 0, &Error{Col: i + 1, Msg: "NUL byte"}
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				b.WriteByte(c)
			}
			i++
		case c == '\\':
			a.Quoted = true
			n, width, err := escape(line, i, quote == '"')
			if err != nil {
				return a, 0, err
			}
			b.WriteString(n)
			i += width
		case quote == '"':
			if c == '"' {
				quote = 0
			} else {
				if c == '$' {
					a.Env = true
				}
				b.WriteByte(c)
			}
			i++
		case c == '\'' || c == '"':
			quote, qstart, a.Quoted = c, i, true
			i++
		case c == ' ' || c == '\t':
			a.Text = b.String()
			return a, i, nil
		case c == '#':
			a.Text = b.String()
			return a, i, nil
		default:
			b.WriteByte(c)
			i++
		}
	}
	if quote != 0 {
		return a, 0, &Error{Col: qstart + 1, Msg: fmt.Sprintf("unmatched %c quote", quote)}
	}
	a.Text = b.String()
	return a, i, nil
}

// escape resolves the backslash sequence at line[i] and returns its text
// and width.
func escape(line string, i int, inDouble bool) (string, int, *Error) {
	if i+1 >= len(line) {
		// A backslash ending the line stays: HAProxy has no line
		// continuation.
		return `\`, 1, nil
	}
	switch c := line[i+1]; c {
	case ' ', '#', '\\', '\'', '"':
		return string(c), 2, nil
	case '$':
		if inDouble {
			return "$", 2, nil // an escaped, unexpanded dollar
		}
		return `\$`, 2, nil // outside double quotes $ means nothing, and HAProxy keeps the backslash
	case 'r':
		return "\r", 2, nil
	case 'n':
		return "\n", 2, nil
	case 't':
		return "\t", 2, nil
	case 'x':
		if i+3 < len(line) && isHex(line[i+2]) && isHex(line[i+3]) {
			return string([]byte{unhex(line[i+2])<<4 | unhex(line[i+3])}), 4, nil
		}
		return "", 0, &Error{Col: i + 1, Msg: `\x needs two hexadecimal digits`}
	default:
		// HAProxy keeps a backslash it does not know (regular
		// expressions such as `\.php$` rely on it).
		return `\`, 1, nil
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			return i
		}
	}
	return 0
}
