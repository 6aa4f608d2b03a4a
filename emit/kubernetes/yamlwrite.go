package kubernetes

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// writeYAML writes a cleaned JSON value (maps, slices, strings, int64,
// bools) as block-style YAML, in the layout go.yaml.in/yaml/v2 uses (two
// spaces per level, sequences under a key not indented, keys sorted).
//
// nbac writes YAML itself because the general-purpose encoders dominated
// the time of a large build (an estate of 1,000 services), and because
// the subset it needs is small: the only delicate part is quoting, and
// there the rule is conservative: a string is written plain only when it
// cannot be read back as anything but the same string (see plainSafe),
// as a literal block when it is multi-line text, and double-quoted with
// explicit escapes otherwise. yamlwrite_test.go reads every case back with
// two YAML parsers.
func writeYAML(b *bytes.Buffer, v map[string]any) error {
	var t tree
	root, err := t.fromValue(v)
	if err != nil {
		return err
	}
	t.root = root
	writeTree(b, &t)
	return nil
}

// writeTree writes a tree's root object; the tree was checked when it was
// built, so writing cannot fail.
func writeTree(b *bytes.Buffer, t *tree) {
	writeMap(b, t, t.root, 0, false)
}

// maxImplicitKey is below YAML's 1024-character limit on implicit keys.
const maxImplicitKey = 1000

const spaces = "                                                                "

func indent(b *bytes.Buffer, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	b.WriteString(spaces[:n])
}

// writeMap writes m's entries (sorted already) at column ind; with inline,
// the first entry continues the current line (after "- ").
func writeMap(b *bytes.Buffer, t *tree, m node, ind int, inline bool) {
	for i, c := range t.kids(m) {
		if i > 0 || !inline {
			indent(b, ind)
		}
		start := b.Len()
		writeString(b, c.key, ind, true)
		if b.Len()-start > maxImplicitKey {
			// YAML limits implicit keys to 1024 characters; longer ones
			// need the explicit "? key" form.
			kb := bytes.Clone(b.Bytes()[start:])
			b.Truncate(start)
			b.WriteString("? ")
			b.Write(kb)
			b.WriteByte('\n')
			indent(b, ind)
		}
		b.WriteByte(':')
		writeValue(b, t, c, ind, true)
	}
}

// writeValue writes v after "key:" (inMap) or after "- ", ending the line.
func writeValue(b *bytes.Buffer, t *tree, v node, ind int, inMap bool) {
	switch v.kind {
	case kindObject:
		switch {
		case v.n == 0:
			if inMap {
				b.WriteByte(' ')
			}
			b.WriteString("{}\n")
		case inMap:
			b.WriteByte('\n')
			writeMap(b, t, v, ind+2, false)
		default:
			writeMap(b, t, v, ind+2, true)
		}
		return
	case kindArray:
		if v.n == 0 {
			if inMap {
				b.WriteByte(' ')
			}
			b.WriteString("[]\n")
			return
		}
		itemInd := ind
		if inMap {
			b.WriteByte('\n')
		} else {
			itemInd = ind + 2
		}
		for i, item := range t.kids(v) {
			if i > 0 || inMap {
				indent(b, itemInd)
			}
			b.WriteString("- ")
			writeValue(b, t, item, itemInd, false)
		}
		return
	}
	if inMap {
		b.WriteByte(' ')
	}
	switch v.kind {
	case kindString:
		writeString(b, v.str, ind+2, false)
	case kindInt:
		b.Write(strconv.AppendInt(b.AvailableBuffer(), v.num, 10))
	case kindBool:
		b.WriteString(strconv.FormatBool(v.num == 1))
	}
	b.WriteByte('\n')
}

// writeString writes s plain, as a literal block (never for keys), or
// double-quoted. ind is the column of a literal block's content.
func writeString(b *bytes.Buffer, s string, ind int, key bool) {
	switch {
	case plainSafe(s):
		b.WriteString(s)
	case !key && literalSafe(s):
		b.WriteByte('|')
		if !strings.HasSuffix(s, "\n") {
			b.WriteByte('-') // strip: the value has no final newline
		}
		for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
			b.WriteByte('\n')
			if line != "" {
				indent(b, ind)
				b.WriteString(line)
			}
		}
	default:
		writeQuoted(b, s)
	}
}

// yaml11Words are read as booleans or null by YAML 1.1 parsers.
var yaml11Words = []string{"y", "yes", "n", "no", "true", "false", "on", "off", "null"}

// maxYAML11Word is the length of the longest of yaml11Words ("false"):
// longer words need no comparison, which most keys and values skip.
const maxYAML11Word = 5

// quantitySuffixes end Kubernetes quantities and percentages (200m, 512Mi,
// 1.5Gi, 25%), which no YAML resolver reads as a number.
var quantitySuffixes = []string{"m", "k", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "M", "G", "T", "P", "E", "%"}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// plainSafe reports whether s reads back as the string s when written
// without quotes. It accepts, and only accepts:
//   - a quantity: digits, optionally '.' and digits, then a suffix above;
//   - a word starting with a digit that no resolver reads as a number or
//     a timestamp (see digitWord), such as 1m30s;
//   - a word: a letter or '/' first, then letters, digits and . _ / - @ :
//     (a ':' is safe because no space can follow it), not ending in ':',
//     and not a YAML 1.1 boolean or null;
//   - words of that alphabet without ':', separated by single spaces
//     ("three words"), so neither ": " nor " #" can appear.
//
// (Hand-written rather than regular expressions: this runs for every
// scalar of every object, and was the emitter's hottest function.)
func plainSafe(s string) bool {
	if s == "" {
		return false
	}
	if isQuantity(s) {
		return true
	}
	if isDigit(s[0]) {
		return digitWord(s)
	}
	if !isLetter(s[0]) && s[0] != '/' {
		return false
	}
	spaces, colon, prevSpace := false, false, false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '/' || c == '-' || c == '@':
			prevSpace = false
		case c == ':':
			colon, prevSpace = true, false
		case c == ' ':
			if prevSpace {
				return false
			}
			spaces, prevSpace = true, true
		default:
			return false
		}
	}
	switch {
	case prevSpace || s[len(s)-1] == ':' || (spaces && colon):
		return false
	case spaces || len(s) > maxYAML11Word:
		return true // the YAML 1.1 booleans and null are short single words
	}
	for _, w := range yaml11Words {
		if strings.EqualFold(s, w) {
			return false
		}
	}
	return true
}

// digitWord accepts a word that starts with a digit but cannot be a YAML
// number or timestamp: letters, digits, '.' and '-' only, at least one
// letter, and none of the letters that numbers use (e, x, o, b: 1e3, 0x1F,
// 0o17, 0b1). Timestamps with letters all need ':', which is not allowed;
// "1.0.0" has no letter and stays quoted (YAML 1.1's float pattern allows
// several dots).
func digitWord(s string) bool {
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c) || c == '.' || c == '-':
		case isLetter(c):
			if strings.IndexByte("eExXoObB", c) >= 0 {
				return false
			}
			letter = true
		default:
			return false
		}
	}
	return letter
}

func isQuantity(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	return slices.Contains(quantitySuffixes, s[i:])
}

// literalSafe reports whether a multi-line string can be a literal block
// scalar: printable text, no line break YAML would reinterpret, no leading
// space on its first non-empty line (that would need an indentation
// indicator), and at most one final newline (clip chomping).
func literalSafe(s string) bool {
	if !strings.Contains(s, "\n") || strings.HasSuffix(s, "\n\n") {
		return false
	}
	// YAML takes a block's indentation from its first non-empty line.
	if first := strings.TrimLeft(s, "\n"); first == "" || first[0] == ' ' {
		return false
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && needsEscape(r) {
			return false
		}
	}
	return true
}

// needsEscape reports whether rune r must be escaped inside quotes: control
// characters, DEL and C1 controls (YAML 1.1 treats NEL as a line break),
// the Unicode line and paragraph separators, the byte-order mark and
// invalid UTF-8.
func needsEscape(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError
}

// writeQuoted writes a YAML double-quoted scalar.
func writeQuoted(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case needsEscape(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
