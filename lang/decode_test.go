package lang

import (
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestPlainStringFastPaths checks that the fast paths of strings and
// stringMap read only what needs no conversion and agree with the slow
// path (convert) on what they read.
func TestPlainStringFastPaths(t *testing.T) {
	a, b := cty.StringVal("a"), cty.StringVal("b")
	list, ok := plainStrings(cty.TupleVal([]cty.Value{a, b}))
	if !ok || !reflect.DeepEqual(list, []string{"a", "b"}) {
		t.Errorf("tuple of strings: %v %v", list, ok)
	}
	if list, ok := plainStrings(cty.EmptyTupleVal); !ok || list != nil {
		t.Errorf("empty tuple: %v %v, want nil true (as the slow path)", list, ok)
	}
	for name, v := range map[string]cty.Value{
		"number":      cty.TupleVal([]cty.Value{a, cty.NumberIntVal(1)}),
		"null":        cty.TupleVal([]cty.Value{a, cty.NullVal(cty.String)}),
		"set":         cty.SetVal([]cty.Value{a}),
		"number key":  cty.ObjectVal(map[string]cty.Value{"k": cty.NumberIntVal(1)}),
		"null in map": cty.MapVal(map[string]cty.Value{"k": cty.NullVal(cty.String)}),
	} {
		if _, ok := plainStrings(v); ok {
			t.Errorf("plainStrings took %s", name)
		}
		if _, ok := plainStringMap(v); ok {
			t.Errorf("plainStringMap took %s", name)
		}
	}
	m, ok := plainStringMap(cty.ObjectVal(map[string]cty.Value{"x": a, "y": b}))
	if !ok || !reflect.DeepEqual(m, map[string]string{"x": "a", "y": "b"}) {
		t.Errorf("object of strings: %v %v", m, ok)
	}
	if m, ok := plainStringMap(cty.EmptyObjectVal); !ok || m != nil {
		t.Errorf("empty object: %v %v, want nil true (as the slow path)", m, ok)
	}
}
