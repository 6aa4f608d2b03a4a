package kubernetes

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// field is one member of a struct's JSON object, with the rules
// encoding/json gives it; objtree.go writes fields from these plans.
type field struct {
	name      string
	index     []int // path of struct field indexes, through embedded structs
	typ       reflect.Type
	tagged    bool // the name came from a json tag
	omitEmpty bool
	omitZero  bool
	isZero    func(reflect.Value) bool // for omitzero; nil means reflect's IsZero
	quoted    bool                     // the ",string" option applies
	noise     bool                     // noiseKeys[name]
	enc       encoder
}

// jsonFields lists the members encoding/json writes for struct type t, by
// its documented rules: exported fields (and the exported fields of
// embedded structs, even unexported ones), named by their json tag or Go
// name, "-" left out; an embedded struct without a tag name has its fields
// promoted, and among promoted fields of one name the shallowest wins,
// then the only tagged one; a tie leaves the name out altogether. The list
// is sorted by name, the order the tree keeps, so a struct's members need
// no sorting when it is walked.
func jsonFields(t reflect.Type) []field {
	type embedded struct {
		typ   reflect.Type
		index []int
	}
	var all []field
	seen := map[reflect.Type]bool{} // struct types expanded at a shallower level
	for level := []embedded{{typ: t}}; len(level) > 0; {
		var next []embedded
		for _, e := range level {
			if seen[e.typ] {
				continue
			}
			for i := range e.typ.NumField() {
				sf := e.typ.Field(i)
				ft := sf.Type
				if sf.Anonymous {
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clone(e.index), i)
				ft = sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, embedded{typ: ft, index: index})
					continue
				}
				f := field{name: name, index: index, typ: sf.Type, tagged: name != ""}
				if name == "" {
					f.name = sf.Name
				}
				for o := range strings.SplitSeq(opts, ",") {
					switch o {
					case "omitempty":
						f.omitEmpty = true
					case "omitzero":
						f.omitZero = true
					case "string":
						f.quoted = quotable(ft.Kind())
					}
				}
				all = append(all, f)
			}
		}
		// A type embedded twice at one level is walked twice on purpose:
		// its fields then tie and drop out, as in encoding/json.
		for _, e := range level {
			seen[e.typ] = true
		}
		level = next
	}

	slices.SortStableFunc(all, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		return len(a.index) - len(b.index)
	})
	var out []field
	for group := range chunkByName(all) {
		if f, ok := dominant(group); ok {
			out = append(out, f)
		}
	}
	return out
}

// chunkByName yields the runs of fields sharing a name.
func chunkByName(fs []field) func(func([]field) bool) {
	return func(yield func([]field) bool) {
		for len(fs) > 0 {
			n := 1
			for n < len(fs) && fs[n].name == fs[0].name {
				n++
			}
			if !yield(fs[:n]) {
				return
			}
			fs = fs[n:]
		}
	}
}

// dominant picks the field a name stands for among fields sorted by depth:
// the only one at the shallowest depth, or the only tagged one there.
func dominant(fs []field) (field, bool) {
	depth := len(fs[0].index)
	var pick *field
	untagged, tagged := 0, 0
	for i := range fs {
		f := &fs[i]
		if len(f.index) > depth {
			break
		}
		if f.tagged {
			tagged++
			pick = f
		} else {
			untagged++
		}
	}
	switch {
	case tagged == 1:
		return *pick, true
	case tagged == 0 && untagged == 1:
		return fs[0], true
	}
	return field{}, false
}

// validTagName reports whether encoding/json accepts name from a tag:
// letters, digits and punctuation other than quotes and backslash.
func validTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c) && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// quotable reports whether ",string" applies to a field of kind k.
func quotable(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// isEmptyValue is omitempty's test: false, 0, "", nil pointers and
// interfaces, and empty arrays, slices and maps. A struct is never empty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0 // -0 too, unlike reflect's IsZero
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

// zeroTest is omitzero's test for type t: its IsZero method when it has
// one (nil pointers and interfaces are zero without calling it), else
// reflect's zero value.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || (v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil()) || v.Interface().(isZeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(isZeroer).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(isZeroer).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
			}
			return v.Addr().Interface().(isZeroer).IsZero()
		}
	}
	return nil
}
