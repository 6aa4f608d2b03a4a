package stdlib

import (
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	cstd "github.com/zclconf/go-cty/cty/function/stdlib"
)

// Collection functions Terraform has and go-cty's stdlib does not (or has
// under another shape).

func isSequence(ty cty.Type) bool {
	return ty.IsListType() || ty.IsSetType() || ty.IsTupleType()
}

var sumFunc = function.New(&function.Spec{
	Description: "Adds up a list, set or tuple of numbers.",
	Params: []function.Parameter{{
		Name: "list", Type: cty.DynamicPseudoType,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		if ty := args[0].Type(); !isSequence(ty) {
			return cty.NilType, function.NewArgErrorf(0, "sum needs a list, set or tuple of numbers, not %s", ty.FriendlyName())
		}
		return cty.Number, nil
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		if args[0].LengthInt() == 0 {
			return cty.NilVal, function.NewArgErrorf(0, "cannot sum an empty list")
		}
		total := cty.Zero
		for it := args[0].ElementIterator(); it.Next(); {
			i, v := it.Element()
			n, err := convert.Convert(v, cty.Number)
			if err != nil || n.IsNull() {
				return cty.NilVal, function.NewArgErrorf(0, "element %s must be a number", i.GoString())
			}
			total = total.Add(n)
		}
		return total, nil
	},
})

var allTrueFunc = boolFold("Reports whether every element of the list is true (true for an empty list).", true)

var anyTrueFunc = boolFold("Reports whether any element of the list is true (false for an empty list).", false)

// boolFold implements alltrue (all=true) and anytrue (all=false). A known
// deciding element wins over unknown ones, so `anytrue([true, unknown])` is
// already true during partial evaluation. Null counts as false.
func boolFold(desc string, all bool) function.Function {
	return function.New(&function.Spec{
		Description: desc,
		Params: []function.Parameter{{
			Name: "list", Type: cty.List(cty.Bool), AllowUnknown: true,
		}},
		Type:         function.StaticReturnType(cty.Bool),
		RefineResult: refineNotNull,
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if !args[0].IsKnown() {
				return cty.UnknownVal(cty.Bool), nil
			}
			unknown := false
			for it := args[0].ElementIterator(); it.Next(); {
				_, v := it.Element()
				switch {
				case !v.IsKnown():
					unknown = true
				case v.IsNull() || v.False():
					if all {
						return cty.False, nil
					}
				default:
					if !all {
						return cty.True, nil
					}
				}
			}
			if unknown {
				return cty.UnknownVal(cty.Bool), nil
			}
			return cty.BoolVal(all), nil
		},
	})
}

var indexFunc = function.New(&function.Spec{
	Description: "Returns the index of the first element of list equal to value.",
	Params: []function.Parameter{
		{Name: "list", Type: cty.DynamicPseudoType},
		// Marked so the error below can tell a sensitive value and hide it.
		{Name: "value", Type: cty.DynamicPseudoType, AllowMarked: true},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if ty := args[0].Type(); !ty.IsListType() && !ty.IsTupleType() {
			return cty.NilType, function.NewArgErrorf(0, "index needs a list or tuple, not %s", ty.FriendlyName())
		}
		return cty.Number, nil
	},
	RefineResult: refineNotNull,
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		value, marks := args[1].Unmark()
		if !args[0].IsKnown() {
			return cty.UnknownVal(cty.Number).WithMarks(marks), nil
		}
		for it := args[0].ElementIterator(); it.Next(); {
			i, v := it.Element()
			eq, err := cstd.Equal(v, value)
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number).WithMarks(marks), nil
			}
			if eq.True() {
				return i.WithMarks(marks), nil
			}
		}
		return cty.NilVal, function.NewArgErrorf(1, "%s is not in the list", valueString(args[1]))
	},
})

// lookupFunc is Terraform's lookup: the default is optional, and without
// it a missing key is an error rather than a silent null.
var lookupFunc = function.New(&function.Spec{
	Description: "Returns map[key], or default when the key is absent; without a default a missing key is an error.",
	Params: []function.Parameter{
		{Name: "map", Type: cty.DynamicPseudoType, AllowMarked: true},
		{Name: "key", Type: cty.String, AllowMarked: true},
	},
	VarParam: &function.Parameter{Name: "default", Type: cty.DynamicPseudoType, AllowMarked: true, AllowNull: true},
	Type: func(args []cty.Value) (cty.Type, error) {
		switch len(args) {
		case 3:
			return cstd.LookupFunc.ReturnType([]cty.Type{args[0].Type(), args[1].Type(), args[2].Type()})
		case 2:
			ty := args[0].Type()
			switch {
			case ty.IsMapType():
				return ty.ElementType(), nil
			case ty.IsObjectType():
				key, _ := args[1].Unmark()
				if !key.IsKnown() {
					return cty.DynamicPseudoType, nil
				}
				if !ty.HasAttribute(key.AsString()) {
					return cty.NilType, function.NewArgErrorf(1, "no key %q in the map; give a default as a third argument", key.AsString())
				}
				return ty.AttributeType(key.AsString()), nil
			case ty == cty.DynamicPseudoType:
				return cty.DynamicPseudoType, nil
			}
			return cty.NilType, function.NewArgErrorf(0, "lookup needs a map or object, not %s", ty.FriendlyName())
		}
		return cty.NilType, function.NewArgErrorf(3, "lookup takes two or three arguments: map, key and an optional default")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if len(args) == 3 {
			return cstd.LookupFunc.Call(args)
		}
		m, mMarks := args[0].Unmark()
		key, kMarks := args[1].Unmark()
		if !m.IsKnown() || !key.IsKnown() {
			return cty.UnknownVal(retType).WithMarks(mMarks, kMarks), nil
		}
		k := cty.StringVal(key.AsString())
		if m.Type().IsObjectType() {
			return m.GetAttr(key.AsString()).WithMarks(mMarks, kMarks), nil
		}
		if !m.HasIndex(k).True() {
			return cty.NilVal, function.NewArgErrorf(1, "no key %q in the map; give a default as a third argument", key.AsString())
		}
		return m.Index(k).WithMarks(mMarks, kMarks), nil
	},
})

var matchKeysFunc = function.New(&function.Spec{
	Description: "Returns the elements of values whose corresponding element of keys is in searchset.",
	Params: []function.Parameter{
		{Name: "values", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "keys", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "searchset", Type: cty.List(cty.DynamicPseudoType)},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		return args[0].Type(), nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() || !args[1].IsWhollyKnown() || !args[2].IsWhollyKnown() {
			return cty.UnknownVal(retType), nil
		}
		if args[0].LengthInt() != args[1].LengthInt() {
			return cty.NilVal, function.NewArgErrorf(1, "keys has %d elements but values has %d; they must be the same length",
				args[1].LengthInt(), args[0].LengthInt())
		}
		vals, keys := args[0].AsValueSlice(), args[1].AsValueSlice()
		var out []cty.Value
		for i, k := range keys {
			for it := args[2].ElementIterator(); it.Next(); {
				_, s := it.Element()
				eq, err := cstd.Equal(k, s)
				if err == nil && eq.True() {
					out = append(out, vals[i])
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

var oneFunc = function.New(&function.Spec{
	Description: "Returns the only element of a list, set or tuple, null when it is empty, and an error when it has more than one.",
	Params: []function.Parameter{{
		Name: "list", Type: cty.DynamicPseudoType,
	}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			switch elems := ty.TupleElementTypes(); len(elems) {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return elems[0], nil
			default:
				return cty.NilType, function.NewArgErrorf(0, "one needs at most one element, this tuple has %d", len(elems))
			}
		}
		return cty.NilType, function.NewArgErrorf(0, "one needs a list, set or tuple, not %s", ty.FriendlyName())
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.UnknownVal(retType), nil
		}
		switch n := v.LengthInt(); n {
		case 0:
			return cty.NullVal(retType), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, e := it.Element()
			return e, nil
		default:
			return cty.NilVal, function.NewArgErrorf(0, "one needs at most one element, this one has %d", n)
		}
	},
})

var transposeFunc = function.New(&function.Spec{
	Description: "Swaps the keys and values of a map of lists of strings.",
	Params: []function.Parameter{{
		Name: "map", Type: cty.Map(cty.List(cty.String)),
	}},
	Type: function.StaticReturnType(cty.Map(cty.List(cty.String))),
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(retType), nil
		}
		// cty iterates map keys in sorted order, so each output list is
		// sorted by the input key: deterministic without extra work.
		out := map[string][]cty.Value{}
		for it := args[0].ElementIterator(); it.Next(); {
			k, list := it.Element()
			if list.IsNull() {
				continue
			}
			for lit := list.ElementIterator(); lit.Next(); {
				_, v := lit.Element()
				if v.IsNull() {
					return cty.NilVal, function.NewArgErrorf(0, "the list under key %q contains null", k.AsString())
				}
				out[v.AsString()] = append(out[v.AsString()], k)
			}
		}
		if len(out) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		res := make(map[string]cty.Value, len(out))
		names := make([]string, 0, len(out))
		for k := range out {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			res[k] = cty.ListVal(out[k])
		}
		return cty.MapVal(res), nil
	},
})

// valueString renders a value for an error message.
func valueString(v cty.Value) string {
	if v.IsMarked() {
		return "(sensitive value)"
	}
	if !v.IsKnown() || v.IsNull() {
		return v.GoString()
	}
	if v.Type() == cty.String {
		return fmt.Sprintf("%q", v.AsString())
	}
	if b, err := cstd.JSONEncode(v); err == nil {
		return b.AsString()
	}
	return v.GoString()
}
