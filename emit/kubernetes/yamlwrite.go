package kubernetes

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// writeYAML writes a cleaned JSON value tree (maps, slices, strings, int64,
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
	return writeMap(b, v, 0, false)
}

// maxImplicitKey is below YAML's 1024-character limit on implicit keys.
const maxImplicitKey = 1000

func indent(b *bytes.Buffer, n int) {
	for range n {
		b.WriteByte(' ')
	}
}

// writeMap writes m's entries at column ind; with inline, the first entry
// continues the current line (after "- ").
func writeMap(b *bytes.Buffer, m map[string]any, ind int, inline bool) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 || !inline {
			indent(b, ind)
		}
		var kb bytes.Buffer
		writeString(&kb, k, ind, true)
		if kb.Len() > maxImplicitKey {
			// YAML limits implicit keys to 1024 characters; longer ones
			// need the explicit "? key" form.
			b.WriteString("? ")
			b.Write(kb.Bytes())
			b.WriteByte('\n')
			indent(b, ind)
		} else {
			b.Write(kb.Bytes())
		}
		b.WriteByte(':')
		if err := writeValue(b, m[k], ind, true); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return nil
}

// writeValue writes v after "key:" (inMap) or after "- ", ending the line.
func writeValue(b *bytes.Buffer, v any, ind int, inMap bool) error {
	sep := func() {
		if inMap {
			b.WriteByte(' ')
		}
	}
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 0 {
			sep()
			b.WriteString("{}\n")
			return nil
		}
		if inMap {
			b.WriteByte('\n')
			return writeMap(b, t, ind+2, false)
		}
		return writeMap(b, t, ind+2, true)
	case []any:
		if len(t) == 0 {
			sep()
			b.WriteString("[]\n")
			return nil
		}
		itemInd := ind
		if inMap {
			b.WriteByte('\n')
		} else {
			itemInd = ind + 2
		}
		for i, item := range t {
			if i > 0 || inMap {
				indent(b, itemInd)
			}
			b.WriteString("- ")
			if err := writeValue(b, item, itemInd, false); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return nil
	case string:
		sep()
		writeString(b, t, ind+2, false)
	case int64:
		sep()
		b.WriteString(strconv.FormatInt(t, 10))
	case bool:
		sep()
		b.WriteString(strconv.FormatBool(t))
	default:
		return fmt.Errorf("cannot write %T as YAML", v)
	}
	b.WriteByte('\n')
	return nil
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
		for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
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
	case spaces:
		return true // the YAML 1.1 booleans and null are single words
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
