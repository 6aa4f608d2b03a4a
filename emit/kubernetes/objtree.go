package kubernetes

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Objects used to reach the tree as JSON text: json.Marshal, then a parse
// of its output (jsontree.go). Both walked the same values, and together
// they were most of the emitter's time, so build walks the typed object
// itself with reflect and builds the very tree the parse built: the same
// member names, omissions and scalars as encoding/json's output (by its
// rules, listed in objfields.go), cleaned as the parser cleans (nulls and
// empty noiseKeys objects dropped, status left out at the top, numbers
// that are not integers an error). Types with their own MarshalJSON
// (resource.Quantity, intstr.IntOrString, metav1.Time) still write JSON,
// and that short text is parsed as before. The JSON path survives in the
// tests as the reference build must match byte for byte.

// encoder builds the node of value v, a member of depth containers; null
// reports a JSON null instead (the caller drops it or fails).
type encoder func(t *tree, v reflect.Value, depth int) (n node, null bool, err error)

// maxDepth bounds nesting, which only a cycle could reach.
const maxDepth = 10000

var encoders sync.Map // reflect.Type -> encoder

// encoderFor returns the cached encoder of typ. Encoders look up the
// encoders of the types they contain on first use, not when made, so a
// type that contains itself needs no stand-in; two goroutines may make
// the same encoder at once, and the first stored wins.
func encoderFor(typ reflect.Type) encoder {
	if e, ok := encoders.Load(typ); ok {
		return e.(encoder)
	}
	e, _ := encoders.LoadOrStore(typ, newEncoder(typ, true, false))
	return e.(encoder)
}

// lazyEncoder returns typ's encoder on its first call and after.
func lazyEncoder(typ reflect.Type) func() encoder {
	return sync.OnceValue(func() encoder { return encoderFor(typ) })
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
	stringMapType     = reflect.TypeFor[map[string]string]()
)

// newEncoder makes typ's encoder. allowAddr: a pointer-receiver marshaler
// is used when the value is addressable (as encoding/json does); quoted:
// the field has the ",string" option.
func newEncoder(typ reflect.Type, allowAddr, quoted bool) encoder {
	if typ.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(typ).Implements(marshalerType) {
		return condAddr(marshalerNode, newEncoder(typ, false, quoted))
	}
	if typ.Implements(marshalerType) {
		return marshalerNode
	}
	if typ.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(typ).Implements(textMarshalerType) {
		return condAddr(textNode, newEncoder(typ, false, quoted))
	}
	if typ.Implements(textMarshalerType) {
		return textNode
	}
	switch typ.Kind() {
	case reflect.Bool:
		return func(_ *tree, v reflect.Value, _ int) (node, bool, error) {
			if quoted {
				return node{kind: kindString, str: strconv.FormatBool(v.Bool())}, false, nil
			}
			n := node{kind: kindBool}
			if v.Bool() {
				n.num = 1
			}
			return n, false, nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(_ *tree, v reflect.Value, _ int) (node, bool, error) {
			if quoted {
				return node{kind: kindString, str: strconv.FormatInt(v.Int(), 10)}, false, nil
			}
			return node{kind: kindInt, num: v.Int()}, false, nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(_ *tree, v reflect.Value, _ int) (node, bool, error) {
			u := v.Uint()
			if quoted {
				return node{kind: kindString, str: strconv.FormatUint(u, 10)}, false, nil
			}
			if u > math.MaxInt64 {
				return node{}, false, fmt.Errorf("%d is not an integer", u) // beyond int64, as the parser said
			}
			return node{kind: kindInt, num: int64(u)}, false, nil
		}
	case reflect.Float32, reflect.Float64:
		return func(_ *tree, v reflect.Value, _ int) (node, bool, error) {
			return floatNode(v, quoted)
		}
	case reflect.String:
		if typ == numberType {
			return func(_ *tree, v reflect.Value, _ int) (node, bool, error) {
				return numberNode(v.String(), quoted)
			}
		}
		return func(_ *tree, v reflect.Value, _ int) (node, bool, error) {
			if quoted {
				return quotedString(v.String())
			}
			return node{kind: kindString, str: jsonText(v.String())}, false, nil
		}
	case reflect.Interface:
		return func(t *tree, v reflect.Value, depth int) (node, bool, error) {
			if v.IsNil() {
				return node{}, true, nil
			}
			e := v.Elem()
			return encoderFor(e.Type())(t, e, depth)
		}
	case reflect.Pointer:
		elem := lazyEncoder(typ.Elem())
		if quoted {
			q := newEncoder(typ.Elem(), true, true) // a scalar: no recursion
			elem = func() encoder { return q }
		}
		return func(t *tree, v reflect.Value, depth int) (node, bool, error) {
			if v.IsNil() {
				return node{}, true, nil
			}
			// Pointers nest without a container, so they count apart.
			if t.ptrs++; t.ptrs > maxDepth {
				return node{}, false, fmt.Errorf("pointers nested too deeply (a cycle?)")
			}
			n, null, err := elem()(t, v.Elem(), depth)
			t.ptrs--
			return n, null, err
		}
	case reflect.Struct:
		return newStructEncoder(typ)
	case reflect.Map:
		return newMapEncoder(typ)
	case reflect.Slice:
		if typ.Elem().Kind() == reflect.Uint8 {
			p := reflect.PointerTo(typ.Elem())
			if !p.Implements(marshalerType) && !p.Implements(textMarshalerType) {
				return bytesNode
			}
		}
		return newListEncoder(typ)
	case reflect.Array:
		return newListEncoder(typ)
	}
	return func(*tree, reflect.Value, int) (node, bool, error) {
		return node{}, false, fmt.Errorf("json: unsupported type: %v", typ)
	}
}

// condAddr uses addr (a pointer-receiver marshaler) on addressable values
// and other on the rest.
func condAddr(addr, other encoder) encoder {
	return func(t *tree, v reflect.Value, depth int) (node, bool, error) {
		if v.CanAddr() {
			return addr(t, v.Addr(), depth)
		}
		return other(t, v, depth)
	}
}

// marshalerNode parses what v's MarshalJSON writes. A value receiver's
// method is called through a pointer when v is addressable: the same
// call without boxing a copy of v.
func marshalerNode(t *tree, v reflect.Value, depth int) (node, bool, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return node{}, true, nil
	}
	if v.Kind() != reflect.Pointer && v.Kind() != reflect.Interface && v.CanAddr() {
		v = v.Addr()
	}
	m, ok := v.Interface().(json.Marshaler)
	if !ok {
		return node{}, true, nil // a nil interface
	}
	b, err := m.MarshalJSON()
	if err != nil {
		return node{}, false, fmt.Errorf("json: error calling MarshalJSON for type %v: %w", v.Type(), err)
	}
	return t.parseJSON(b, depth)
}

// textNode writes what v's MarshalText returns as a string.
func textNode(_ *tree, v reflect.Value, _ int) (node, bool, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return node{}, true, nil
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return node{}, true, nil
	}
	b, err := m.MarshalText()
	if err != nil {
		return node{}, false, fmt.Errorf("json: error calling MarshalText for type %v: %w", v.Type(), err)
	}
	return node{kind: kindString, str: jsonText(string(b))}, false, nil
}

func bytesNode(_ *tree, v reflect.Value, _ int) (node, bool, error) {
	if v.IsNil() {
		return node{}, true, nil
	}
	return node{kind: kindString, str: base64.StdEncoding.EncodeToString(v.Bytes())}, false, nil
}

// floatNode formats f as encoding/json does; unless quoted, the tree then
// wants an integer, as when it parsed that text.
func floatNode(v reflect.Value, quoted bool) (node, bool, error) {
	var f any = v.Float()
	if v.Kind() == reflect.Float32 {
		f = float32(v.Float())
	}
	b, err := json.Marshal(f)
	if err != nil {
		return node{}, false, err
	}
	if quoted {
		return node{kind: kindString, str: string(b)}, false, nil
	}
	i, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return node{}, false, fmt.Errorf("%s is not an integer", b)
	}
	return node{kind: kindInt, num: i}, false, nil
}

// numberNode writes a json.Number, which encoding/json writes as the
// number itself ("" as 0) after checking it is one.
func numberNode(s string, quoted bool) (node, bool, error) {
	if s == "" {
		s = "0"
	}
	if !json.Valid([]byte(s)) || (s[0] != '-' && !isDigit(s[0])) {
		return node{}, false, fmt.Errorf("json: invalid number literal %q", s)
	}
	if quoted {
		return node{kind: kindString, str: s}, false, nil
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return node{}, false, fmt.Errorf("%v is not an integer", s)
	}
	return node{kind: kindInt, num: i}, false, nil
}

// quotedString is a ",string" string: its JSON text, quotes included.
func quotedString(s string) (node, bool, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return node{}, false, err
	}
	return node{kind: kindString, str: strings.TrimSuffix(b.String(), "\n")}, false, nil
}

// jsonText is s as it reads back from encoding/json's output: each byte
// that is not valid UTF-8 becomes U+FFFD.
func jsonText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// parseJSON parses a marshaler's output as a member of depth containers,
// compacted first when it has white space (as encoding/json compacts it).
// The bytes are copied into t.text, whose strings the nodes point to.
func (t *tree) parseJSON(b []byte, depth int) (node, bool, error) {
	if bytes.ContainsAny(b, " \t\r\n") {
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			return node{}, false, err
		}
		b = c.Bytes()
	}
	start := len(t.text)
	t.text = append(t.text, b...)
	// The nodes' strings point into t.text without a copy. A grown t.text
	// leaves earlier strings in the old array, which stays alive as long
	// as they do; the next build overwrites it, after this tree has been
	// written (toValue copies its strings).
	src := unsafe.String(unsafe.SliceData(t.text[start:]), len(b))
	saved, savedPos := t.src, t.pos
	t.src, t.pos = src, 0
	defer func() { t.src, t.pos = saved, savedPos }()
	v, null, err := t.value(depth)
	if err == nil && t.pos != len(src) {
		err = t.syntax()
	}
	return v, null, err
}

func newStructEncoder(typ reflect.Type) encoder {
	fields := jsonFields(typ)
	for i := range fields {
		f := &fields[i]
		f.noise = noiseKeys[f.name]
		if f.omitZero {
			f.isZero = zeroTest(f.typ)
		}
		if f.quoted {
			f.enc = newEncoder(f.typ, true, true)
		}
	}
	// Field encoders are looked up on first use, not here: a struct that
	// contains itself would otherwise wait for its own encoder.
	var once sync.Once
	return func(t *tree, v reflect.Value, depth int) (node, bool, error) {
		once.Do(func() {
			for i := range fields {
				if fields[i].enc == nil {
					fields[i].enc = encoderFor(fields[i].typ)
				}
			}
		})
		if depth > maxDepth {
			return node{}, false, fmt.Errorf("nested too deeply (a cycle?)")
		}
		base := len(t.stack)
	members:
		for i := range fields {
			f := &fields[i]
			// The cluster owns status; it never reaches the file, so it
			// is not walked.
			if depth == 0 && f.name == "status" {
				continue
			}
			fv := v
			for _, x := range f.index {
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue members // a field of a nil embedded pointer
					}
					fv = fv.Elem()
				}
				fv = fv.Field(x)
			}
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			if f.omitZero && (f.isZero == nil && fv.IsZero() || f.isZero != nil && f.isZero(fv)) {
				continue
			}
			c, null, err := f.enc(t, fv, depth+1)
			if err != nil {
				return node{}, false, fmt.Errorf("field %s: %w", f.name, err)
			}
			if null || (f.noise && c.kind == kindObject && c.n == 0) {
				continue
			}
			c.key = f.name
			t.stack = append(t.stack, c)
		}
		return t.close(kindObject, base), false, nil
	}
}

// newMapEncoder writes a map's entries in encoding/json's order (sorted
// by key text) with keys as they read back; close sorts them again only
// if that changed their order. map[string]string (labels, selectors,
// data) has a path without reflect for each entry.
func newMapEncoder(typ reflect.Type) encoder {
	kt := typ.Key()
	switch kt.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !kt.Implements(textMarshalerType) {
			return func(*tree, reflect.Value, int) (node, bool, error) {
				return node{}, false, fmt.Errorf("json: unsupported type: %v", typ)
			}
		}
	}
	if typ.ConvertibleTo(stringMapType) && typ.Elem().Kind() == reflect.String && typ.Key().Kind() == reflect.String &&
		typ.Elem() == stringMapType.Elem() {
		return stringMapNode
	}
	elemEncoder := lazyEncoder(typ.Elem())
	return func(t *tree, v reflect.Value, depth int) (node, bool, error) {
		if v.IsNil() {
			return node{}, true, nil
		}
		if depth > maxDepth {
			return node{}, false, fmt.Errorf("nested too deeply (a cycle?)")
		}
		type entry struct {
			key string
			v   reflect.Value
		}
		entries := make([]entry, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return node{}, false, err
			}
			entries = append(entries, entry{k, it.Value()})
		}
		slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		elem := elemEncoder()
		base := len(t.stack)
		for _, e := range entries {
			c, null, err := elem(t, e.v, depth+1)
			if err != nil {
				return node{}, false, fmt.Errorf("field %s: %w", e.key, err)
			}
			key := jsonText(e.key)
			if null || (c.kind == kindObject && c.n == 0 && noiseKeys[key]) || (depth == 0 && key == "status") {
				continue
			}
			c.key = key
			t.stack = append(t.stack, c)
		}
		return t.close(kindObject, base), false, nil
	}
}

// mapKey is the member name encoding/json gives a map key.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("json: unexpected map key type %v", k.Type())
}

func stringMapNode(t *tree, v reflect.Value, depth int) (node, bool, error) {
	if v.IsNil() {
		return node{}, true, nil
	}
	if v.Type() != stringMapType {
		v = v.Convert(stringMapType)
	}
	// Entries are sorted by their keys as they are, then the keys made
	// valid UTF-8: encoding/json's order. close sorts again only if that
	// changed it.
	base := len(t.stack)
	for k, s := range v.Interface().(map[string]string) {
		t.stack = append(t.stack, node{key: k, kind: kindString, str: s})
	}
	kids := t.stack[base:]
	slices.SortFunc(kids, byKey)
	n := 0
	for _, c := range kids {
		c.key, c.str = jsonText(c.key), jsonText(c.str)
		if depth == 0 && c.key == "status" {
			continue
		}
		kids[n] = c
		n++
	}
	t.stack = t.stack[:base+n]
	return t.close(kindObject, base), false, nil
}

// newListEncoder writes slices and arrays; a null item is an error, as
// the parser made it.
func newListEncoder(typ reflect.Type) encoder {
	isSlice := typ.Kind() == reflect.Slice
	elemEncoder := lazyEncoder(typ.Elem())
	return func(t *tree, v reflect.Value, depth int) (node, bool, error) {
		if isSlice && v.IsNil() {
			return node{}, true, nil
		}
		if depth > maxDepth {
			return node{}, false, fmt.Errorf("nested too deeply (a cycle?)")
		}
		elem := elemEncoder()
		base := len(t.stack)
		for i := range v.Len() {
			c, null, err := elem(t, v.Index(i), depth+1)
			if err != nil {
				return node{}, false, fmt.Errorf("list item %d: %w", i, err)
			}
			if null {
				return node{}, false, fmt.Errorf("list item %d is null", i)
			}
			t.stack = append(t.stack, c)
		}
		return t.close(kindArray, base), false, nil
	}
}

// build makes t the cleaned tree of obj, which must be a struct, a map or
// nil (pointers and interfaces to them included).
func (t *tree) build(obj any) error {
	t.nodes, t.stack, t.text = t.nodes[:0], t.stack[:0], t.text[:0]
	t.src, t.pos, t.ptrs = "", 0, 0
	t.root, t.null = node{kind: kindObject}, false
	v := reflect.ValueOf(obj)
	if !v.IsValid() {
		t.null = true
		return nil
	}
	n, null, err := encoderFor(v.Type())(t, v, 0)
	switch {
	case err != nil:
		return err
	case null:
		t.null = true // a nil pointer: nothing to write
	case n.kind != kindObject:
		return fmt.Errorf("not a JSON object")
	default:
		t.root = n
	}
	return nil
}
