package kubernetes

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A tree is a cleaned object with sorted keys, held in two reused slices
// (a map[string]any per object was most of a large build's allocations).
// build (objtree.go) makes it from a typed object; the parser below reads
// the JSON that types with their own MarshalJSON write into it, with
// strings pointing into that text, cleaned as build cleans: nulls and
// empty noiseKeys objects dropped from objects, status left out at the
// top, numbers turned into int64 (an error if not integral).

type kind uint8

const (
	kindString kind = iota
	kindInt
	kindBool
	kindObject
	kindArray
)

// node is one value; key is its member name inside an object. An object's
// or array's children are tree.nodes[first : first+n], an object's sorted
// by key.
type node struct {
	key   string
	str   string
	num   int64 // the integer, or 1 for true
	first int32
	n     int32
	kind  kind
}

type tree struct {
	src   string // the JSON text being parsed, which strings point into
	pos   int
	nodes []node // finished children, grouped by parent
	stack []node // children of the containers being built
	root  node
	null  bool // the whole value was null

	// For build (objtree.go):
	text []byte // the marshalers' JSON texts
	ptrs int    // pointers being followed
}

func (t *tree) syntax() error {
	return fmt.Errorf("malformed JSON at byte %d", t.pos)
}

// value parses the value at t.pos; null reports isNull rather than a node.
func (t *tree) value(depth int) (v node, isNull bool, err error) {
	if t.pos >= len(t.src) {
		return v, false, t.syntax()
	}
	switch c := t.src[t.pos]; {
	case c == '{':
		return t.object(depth)
	case c == '[':
		return t.array(depth)
	case c == '"':
		s, err := t.str()
		return node{kind: kindString, str: s}, false, err
	case c == 't' && strings.HasPrefix(t.src[t.pos:], "true"):
		t.pos += 4
		return node{kind: kindBool, num: 1}, false, nil
	case c == 'f' && strings.HasPrefix(t.src[t.pos:], "false"):
		t.pos += 5
		return node{kind: kindBool}, false, nil
	case c == 'n' && strings.HasPrefix(t.src[t.pos:], "null"):
		t.pos += 4
		return v, true, nil
	case c == '-' || isDigit(c):
		start := t.pos
		for t.pos < len(t.src) && strings.IndexByte("+-.eE0123456789", t.src[t.pos]) >= 0 {
			t.pos++
		}
		tok := t.src[start:t.pos]
		// What json.Number.Int64 did: every number nbac writes is an
		// integer, a float would mean a bug.
		i, err := strconv.ParseInt(tok, 10, 64)
		if err != nil {
			return v, false, fmt.Errorf("%v is not an integer", tok)
		}
		return node{kind: kindInt, num: i}, false, nil
	}
	return v, false, t.syntax()
}

// str parses a string token. Without escapes it is a slice of src (no
// copy); with them encoding/json decodes it (rare: control characters,
// quotes, backslashes, invalid UTF-8 replaced by \ufffd).
func (t *tree) str() (string, error) {
	start := t.pos
	escaped := false
	for i := start + 1; i < len(t.src); i++ {
		switch t.src[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			t.pos = i + 1
			if !escaped {
				return t.src[start+1 : i], nil
			}
			var s string
			if err := json.Unmarshal([]byte(t.src[start:i+1]), &s); err != nil {
				return "", err
			}
			return s, nil
		}
	}
	t.pos = len(t.src)
	return "", t.syntax()
}

func (t *tree) expect(c byte) error {
	if t.pos >= len(t.src) || t.src[t.pos] != c {
		return t.syntax()
	}
	t.pos++
	return nil
}

func (t *tree) object(depth int) (node, bool, error) {
	t.pos++ // '{'
	base := len(t.stack)
	if t.pos < len(t.src) && t.src[t.pos] == '}' {
		t.pos++
		return node{kind: kindObject}, false, nil
	}
	for {
		if t.pos >= len(t.src) || t.src[t.pos] != '"' {
			return node{}, false, t.syntax()
		}
		k, err := t.str()
		if err != nil {
			return node{}, false, err
		}
		if err := t.expect(':'); err != nil {
			return node{}, false, err
		}
		v, isNull, err := t.value(depth + 1)
		if err != nil {
			return node{}, false, fmt.Errorf("field %s: %w", k, err)
		}
		// An emitted object never carries status: the cluster owns it.
		drop := isNull || (depth == 0 && k == "status") ||
			(v.kind == kindObject && v.n == 0 && noiseKeys[k])
		if !drop {
			v.key = k
			t.stack = append(t.stack, v)
		}
		if t.pos >= len(t.src) {
			return node{}, false, t.syntax()
		}
		t.pos++
		switch t.src[t.pos-1] {
		case ',':
			continue
		case '}':
			return t.close(kindObject, base), false, nil
		}
		return node{}, false, t.syntax()
	}
}

func (t *tree) array(depth int) (node, bool, error) {
	t.pos++ // '['
	base := len(t.stack)
	if t.pos < len(t.src) && t.src[t.pos] == ']' {
		t.pos++
		return node{kind: kindArray}, false, nil
	}
	for i := 0; ; i++ {
		v, isNull, err := t.value(depth + 1)
		if err != nil {
			return node{}, false, fmt.Errorf("list item %d: %w", i, err)
		}
		if isNull {
			// YAML could say null, but no API list nbac writes holds one.
			return node{}, false, fmt.Errorf("list item %d is null", i)
		}
		t.stack = append(t.stack, v)
		if t.pos >= len(t.src) {
			return node{}, false, t.syntax()
		}
		t.pos++
		switch t.src[t.pos-1] {
		case ',':
			continue
		case ']':
			return t.close(kindArray, base), false, nil
		}
		return node{}, false, t.syntax()
	}
}

// close moves the children parsed since base from the stack to nodes,
// sorting an object's by key (byte order, as slices.Sort on the keys did).
func (t *tree) close(k kind, base int) node {
	kids := t.stack[base:]
	// encoding/json writes a map's keys sorted already, so checking first
	// saves moving nodes for labels, selectors and data.
	if k == kindObject && !slices.IsSortedFunc(kids, byKey) {
		slices.SortFunc(kids, byKey)
	}
	first := len(t.nodes)
	t.nodes = append(t.nodes, kids...)
	t.stack = t.stack[:base]
	return node{kind: k, first: int32(first), n: int32(len(kids))}
}

func byKey(a, b node) int { return strings.Compare(a.key, b.key) }

func (t *tree) kids(v node) []node {
	return t.nodes[v.first : v.first+v.n]
}

// fromValue builds the tree of a plain value (maps, slices, strings, int64,
// bools) as writeYAML receives it, uncleaned.
func (t *tree) fromValue(v any) (node, error) {
	switch x := v.(type) {
	case map[string]any:
		base := len(t.stack)
		for k, child := range x {
			c, err := t.fromValue(child)
			if err != nil {
				return node{}, fmt.Errorf("%s: %w", k, err)
			}
			c.key = k
			t.stack = append(t.stack, c)
		}
		return t.close(kindObject, base), nil
	case []any:
		base := len(t.stack)
		for i, child := range x {
			c, err := t.fromValue(child)
			if err != nil {
				return node{}, fmt.Errorf("[%d]: %w", i, err)
			}
			t.stack = append(t.stack, c)
		}
		return t.close(kindArray, base), nil
	case string:
		return node{kind: kindString, str: x}, nil
	case int64:
		return node{kind: kindInt, num: x}, nil
	case bool:
		n := node{kind: kindBool}
		if x {
			n.num = 1
		}
		return n, nil
	}
	return node{}, fmt.Errorf("cannot write %T as YAML", v)
}

// toAny turns a node back into plain values, for tests and for callers
// that want the cleaned value itself.
func (t *tree) toAny(v node) any {
	switch v.kind {
	case kindObject:
		m := make(map[string]any, v.n)
		for _, c := range t.kids(v) {
			m[strings.Clone(c.key)] = t.toAny(c)
		}
		return m
	case kindArray:
		l := make([]any, 0, v.n)
		for _, c := range t.kids(v) {
			l = append(l, t.toAny(c))
		}
		return l
	case kindString:
		return strings.Clone(v.str)
	case kindInt:
		return v.num
	}
	return v.num == 1
}
